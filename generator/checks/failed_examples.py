"""promtool's failed rule tests traced back to the alert examples they were generated from, at their file:line.

`obsgen check` prints what promtool says of a failed test (`name: CheckoutErrors: 1% errors never fires,`, the
alerts expected and got); the test's name is the alert's and the example's (`targets/rule_tests.py`), and an
escalation level's test names them after `escalation <policy> of `, and tests sharing their input series are one,
named "a; b". The example to edit is said at its line.
"""

from __future__ import annotations

import re

from generator.load.locate import locate
from generator.model.project import Project

FAILED = re.compile(r"^\s*name: (.*),\s*$", re.MULTILINE)
"""A failed test's name in promtool's report (its `name:` line, ending with a comma)."""


def _generated_from(test: str, failed: str) -> bool:
    """Whether the failed test is the example's own (`Alert: example`) or one of its escalation tests."""
    return failed == test or (failed.startswith("escalation ") and f" of {test}, " in failed)


def places(output: str, project: Project) -> list[str]:
    """One line per alert example whose generated test failed in promtool's output: `file:line: ...`."""
    failed = [test for names in FAILED.findall(output) for test in names.split("; ")]  # merged tests: "a; b"
    lines = []
    for alert in project.alerts.values():
        for index, example in enumerate(alert.examples):
            test = f"{alert.name}: {example.name}"
            if any(_generated_from(test, name) for name in failed):
                at = project.relative(locate(alert, "examples", index))
                lines.append(f"{at.file}:{at.line}: alert {alert.name}'s example {example.name!r} failed "
                             "(promtool above): fix the example, or the alert if the example is right")
    return lines
