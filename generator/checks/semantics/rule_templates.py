"""The templates of every alerting rule the project deploys, obsgen's alerts', log alerts' and imported rule sets'
alerts', with where each is written: what the checks of what a template prints read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.model import Alert, Definition, LogAlert, RuleSet
from generator.model.alerts import AlertRule
from generator.model.project import Project
from generator.model.rulesets import ImportedAlert

Template = tuple[tuple[str | int, ...], str, str]
"""A template of a rule: its field path, how messages name it, its text."""


@dataclass(frozen=True)
class RuleTemplates:
    """One alerting rule's templates (annotations and labels) and what they are expanded against."""

    at: Definition
    """The definition a finding points at: the alert, or the rule set holding the imported alert."""
    what: str
    """How messages name the rule: "alert CpuHigh", "rule set mixin, alert PodMissing"."""
    expr: str
    rule_labels: dict[str, str]
    """The labels the rule sets (severity too), which its templates' $labels does not hold."""
    templates: list[Template]
    deployed_here: bool
    """False for an imported rule set's alert: written for another deployment, its series may carry labels of its
    own."""
    logql: bool = False
    """True for a log alert: its expression is LogQL, evaluated by Loki's ruler (which expands its templates as
    Prometheus does: it runs Prometheus' rules package)."""


def _own(alert: AlertRule, what: str, expr: str, logql: bool) -> RuleTemplates:
    templates: list[Template] = [(("summary",), "summary", alert.summary),
                                 (("description",), "description", alert.description)]
    templates += [(("labels", key), f"label {key}", value) for key, value in alert.labels.items()]
    return RuleTemplates(alert, what, expr, {"severity": alert.severity, **alert.labels}, templates,
                         deployed_here=True, logql=logql)


def rule_templates(project: Project) -> Iterator[RuleTemplates]:
    """Every alerting rule's templates: obsgen's alerts', its log alerts', then the imported rule sets'."""
    for alert in project.all(Alert):
        yield _own(alert, f"alert {alert.name}", alert.condition, logql=False)
    for log_alert in project.all(LogAlert):
        yield _own(log_alert, f"log alert {log_alert.name}", log_alert.expr, logql=True)
    for rule_set in project.all(RuleSet):
        for g, group in enumerate(rule_set.groups):
            for r, rule in enumerate(group.rules):
                if not isinstance(rule, ImportedAlert):
                    continue  # a recording rule: no template
                path = ("groups", g, "rules", r)
                templates: list[Template] = [((*path, "annotations"), f"annotation {key}", value)
                                             for key, value in rule.annotations.items()]
                templates += [((*path, "labels"), f"label {key}", value) for key, value in rule.labels.items()]
                yield RuleTemplates(rule_set, f"rule set {rule_set.name}, alert {rule.name}", rule.expr,
                                    rule.labels, templates, deployed_here=False)
