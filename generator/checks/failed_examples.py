"""promtool's failed rule tests traced back to the alert examples they were generated from, at their file:line.

`obsgen check` prints what promtool says of a failed test (`name: CheckoutErrors: 1% errors never fires,`, the
alerts expected and got); the test's name is the alert's and the example's (`targets/rule_tests.py`), and an
escalation level's test names them after `escalation <policy> of `, and tests sharing their input series are one,
named "a; b", where the failed check's `alertname:` and `time:` say which of them failed. The example to edit is
said at its line.
"""

from __future__ import annotations

import re

from generator.core.duration import parse_seconds
from generator.derive.examples import example_test_name
from generator.load.locate import locate
from generator.model.alerts import Alert, Example
from generator.model.project import Project

FAILED = re.compile(r"^[^\S\n]*name: (.*),\s*$(?:\n\s*alertname: (.*), time: (\S+),\s*$)?", re.MULTILINE)
"""A failed check in promtool's report: its test's `name:` line (ending with a comma), and for an alert's check
the `alertname: A, time: 3m,` line under it (which check of a merged test failed). Only the line's own blanks
before `name:`: `^\\s*` found the same lines, from each line start of the blank lines before one (quadratic)."""


def _at(time: str, at: str) -> bool:
    """Whether promtool's `time:` is the example's evaluation time (either unread: taken as it)."""
    try:
        return parse_seconds(time) == parse_seconds(at)
    except ValueError:
        return True


def _generated_from(alert: Alert, example: Example, failed: tuple[str, str, str]) -> bool:
    """Whether the failed check is the example's own (`Alert: example`, at its time) or one of its escalation
    tests'; in a merged test (`a; b`) the check's alertname and time say which of its tests failed."""
    name, alertname, time = failed
    test = example_test_name(alert, example)
    if alertname and alertname != alert.name:
        return False
    if name == test:
        return not time or _at(time, example.at)
    return name.startswith("escalation ") and f" of {test}, " in name


def places(output: str, project: Project) -> list[str]:
    """One line per alert example whose generated test failed in promtool's output: `file:line: ...`."""
    failed = [(test, alertname, time) for names, alertname, time in FAILED.findall(output)
              for test in names.split("; ")]  # merged tests: "a; b"
    lines = []
    for alert in project.alerts.values():
        for index, example in enumerate(alert.examples):
            if any(_generated_from(alert, example, failure) for failure in failed):
                at = project.relative(locate(alert, "examples", index))
                lines.append(f"{at.file}:{at.line}: alert {alert.name}'s example {example.name!r} failed "
                             "(promtool above): fix the example, or the alert if the example is right")
    return lines
