"""Checks of imported rule sets against the rest of the definitions, and warnings for what they lack."""

from __future__ import annotations

from collections import Counter

from generator.checks.xref.common import check_expr
from generator.core.errors import DefinitionError
from generator.derive.rulesets import rule_sets_for_tests
from generator.model import AlertOverride, Metric, RuleSet
from generator.model.project import Project, Warning


def _warn(project: Project, rule_set: RuleSet) -> None:
    alerts = rule_set.alerts()
    if alerts:
        project.warnings.append(Warning(
            rule_set.location,
            f"rule set {rule_set.name}: {len(alerts)} imported alerts have no examples, so no promtool test covers "
            "them (kept as written; rewrite one as an Alert with examples to test it)",
        ))
    declared = {severity.name for severity in project.alerting.severities}
    undeclared = Counter(alert.severity or "(none)" for alert in alerts if alert.severity not in declared)
    if undeclared:
        listed = ", ".join(f"{name} x{count}" for name, count in sorted(undeclared.items()))
        project.warnings.append(Warning(
            rule_set.location,
            f"rule set {rule_set.name}: alerts with severities no AlertingConfig declares ({listed}) reach only "
            "Alertmanager's root route (receiver null); override their severity to route them",
        ))


def _alerts_named_twice(project: Project, rule_set: RuleSet, tested: bool) -> None:
    for alert in rule_set.alerts():
        if alert.name not in project.alerts:
            continue
        message = (f"rule set {rule_set.name} has an alert {alert.name}, also defined at "
                   f"{project.alerts[alert.name].location}")
        fix = f"AlertOverride(rule_set={rule_set.name!r}, alert={alert.name!r}, disable=True)"
        if tested:  # both would fire in the Alert's promtool tests, which expect only its own
            raise DefinitionError(rule_set.location, f"{message}, and the Alert's tests load this rule set: "
                                                     f"keep one, e.g. {fix}")
        project.warnings.append(Warning(rule_set.location, f"{message}: both are evaluated and notify; "
                                                           f"if one is enough, {fix}"))


def check_rule_sets(project: Project, series: dict[str, Metric | None]) -> None:
    """Every series an imported rule reads is defined; override severities exist; warnings for the rest."""
    tested = {rule_set.name for rule_set in rule_sets_for_tests(project)}
    for rule_set in project.all(RuleSet):
        _alerts_named_twice(project, rule_set, rule_set.name in tested)
        for group in rule_set.groups:
            for rule in group.rules:
                what = f"rule set {rule_set.name}, group {group.name}, rule {rule.name}"
                # Imported rules are kept as written: no lint (e.g. counters read raw) beyond defined series.
                try:
                    check_expr(rule.expr, rule_set.location, series, what, rated=False)
                except DefinitionError as error:
                    raise DefinitionError(error.location, f"{error.message}; or list it in external_series") from None
        _warn(project, rule_set)
    declared = [severity.name for severity in project.alerting.severities]
    for override in project.all(AlertOverride):
        if override.severity is not None and override.severity not in declared:
            raise DefinitionError(override.location,
                                  f"unknown severity {override.severity!r}; defined: {', '.join(sorted(declared))}")
