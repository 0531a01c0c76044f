"""What imported rule sets lack that obsgen's own alerts have.

Imported alerts have no examples, so no promtool test covers them; severities no AlertingConfig declares reach
only Alertmanager's root route (receiver null); and an imported alert named like one of yours notifies beside it
(when your alert's tests load the rule set, that is error XR018). A group of a rule set the tests load, named as
one of obsgen's rule groups, where one records what the other reads, has no order in the tests: promtool places
groups by name alone (group_eval_order lists a name once), so the two are evaluated in a random order at each run
and a test reading the recorded series sees this step's value or the previous one by chance (rename obsgen's group).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.rulesets import group_series, imported_series, rule_sets_for_tests
from generator.model import RuleSet
from generator.model.project import Project

CODE = "MP007"
NAME = "rule-sets"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    declared = {severity.name for severity in project.alerting.severities}
    tested = {rule_set.name for rule_set in rule_sets_for_tests(project)}
    yield from _unordered_groups(project, tested)
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


def _unordered_groups(project: Project, tested: set[str]) -> Iterator[Finding]:
    """A tested rule set's group named as an obsgen group, one recording what the other reads (derive.rulesets'
    series, as the tests order groups by them; an imported rule Prometheus refuses reads nothing here, XR010 says
    so)."""
    reads, records = group_series(project)
    for rule_set in project.all(RuleSet):
        for g, group in enumerate(rule_set.groups if rule_set.name in tested else ()):
            if group.name not in reads:
                continue
            read, recorded = imported_series(group)
            shared = sorted((recorded & reads[group.name]) | (records.get(group.name, set()) & read))
            if shared:
                yield Finding(rule_set, f"rule set {rule_set.name}, group {group.name}: obsgen's rule group "
                                        f"{group.name} has its name, and one records what the other reads "
                                        f"({', '.join(shared)}); promtool orders the tests' groups by name alone "
                                        "(group_eval_order), so these two run in a random order at each step and a "
                                        "test reading the series sees its value of this step or of the previous one "
                                        f"by chance: rename obsgen's group (group=...) to order it",
                              ("groups", g))
