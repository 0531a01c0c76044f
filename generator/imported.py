"""Checks of imported rule sets against the rest of the definitions, and warnings for what they lack."""

from __future__ import annotations

from collections import Counter

from generator.crossref import check_expr
from generator.errors import DefinitionError
from generator.model import AlertOverride, Metric, RuleSet
from generator.project import Project, Warning


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


def check_rule_sets(project: Project, series: dict[str, Metric | None]) -> None:
    """Every series an imported rule reads is defined; override severities exist; warnings for the rest."""
    for rule_set in project.all(RuleSet):
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
