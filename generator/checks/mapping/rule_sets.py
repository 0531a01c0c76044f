"""What imported rule sets lack that obsgen's own alerts have.

Imported alerts have no examples, so no promtool test covers them; severities no AlertingConfig declares reach
only Alertmanager's root route (receiver null); and an imported alert named like one of yours notifies beside it
(when your alert's tests load the rule set, that is error XR018).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.rulesets import rule_sets_for_tests
from generator.model import RuleSet

CODE = "MP007"
NAME = "rule-sets"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    declared = {severity.name for severity in project.alerting.severities}
    tested = {rule_set.name for rule_set in rule_sets_for_tests(project)}
    for rule_set in project.all(RuleSet):
        alerts = rule_set.alerts()
        if alerts:
            yield Finding(rule_set, f"rule set {rule_set.name}: {len(alerts)} imported alerts have no examples, so no "
                                    "promtool test covers them (kept as written; rewrite one as an Alert with examples "
                                    "to test it)")
        undeclared = Counter(alert.severity or "(none)" for alert in alerts if alert.severity not in declared)
        if undeclared:
            listed = ", ".join(f"{name} x{count}" for name, count in sorted(undeclared.items()))
            yield Finding(rule_set, f"rule set {rule_set.name}: alerts with severities no AlertingConfig declares "
                                    f"({listed}) reach only Alertmanager's root route (receiver null); override their "
                                    "severity to route them")
        if rule_set.name in tested:
            continue
        for alert in alerts:
            if alert.name in project.alerts:
                fix = f"AlertOverride(rule_set={rule_set.name!r}, alert={alert.name!r}, disable=True)"
                yield Finding(rule_set, f"rule set {rule_set.name} has an alert {alert.name}, also defined at "
                                        f"{project.alerts[alert.name].location}: both are evaluated and notify; if one "
                                        f"is enough, {fix}")
