"""An imported rule set that your alerts' promtool tests load has no alert of the same name as one of yours.

The tests of an Alert's examples load the rule sets recording what it reads; an imported alert of the same name
would fire in those tests beside yours, and the test expecting only yours would fail for a reason nobody wrote.
(When the rule set is not loaded by the tests, the two only both notify: see MP007.)

Fix: keep one, e.g. `AlertOverride(rule_set=..., alert=..., disable=True)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.rulesets import rule_sets_for_tests

CODE = "XR018"
NAME = "alert-in-tested-rule-set"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for rule_set in rule_sets_for_tests(project):
        for alert in rule_set.alerts():
            if alert.name in project.alerts:
                fix = f"AlertOverride(rule_set={rule_set.name!r}, alert={alert.name!r}, disable=True)"
                yield Finding(rule_set, f"rule set {rule_set.name} has an alert {alert.name}, also defined at "
                                        f"{project.alerts[alert.name].location}, and the Alert's tests load this "
                                        f"rule set: keep one, e.g. {fix}", (), (project.alerts[alert.name].location,))
