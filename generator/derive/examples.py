"""What an alert example predicts: the labels and annotations of the alert it expects."""

from __future__ import annotations

from generator.core.gotemplate import render
from generator.core.promql import parse
from generator.derive.escalation import escalation_labels
from generator.model import Alert, Example, conventions
from generator.model.alerts import AlertRule
from generator.model.project import Project


def example_test_name(alert: Alert, example: Example) -> str:
    """The name of the promtool test generated from an example (targets/rule_tests.py writes it, an escalation
    level's after `escalation <policy> of `; checks/failed_examples.py reads it back from promtool's report)."""
    return f"{alert.name}: {example.name}"


def series_labels(selector: str) -> tuple[str, dict[str, str]]:
    """Name and labels of a promtool input series written as a selector."""
    node = parse(selector)
    labels = {m.name: m.value for m in node.matchers.matchers if m.name != "__name__"}
    return str(node.name or ""), labels


def expression_labels(alert: Alert, example: Example) -> dict[str, str]:
    """Labels of the expression's firing series: given, or those of the only series of the alert's metric."""
    if example.labels is not None:
        return example.labels
    if alert.metric is not None:
        matching = [labels for name, labels in map(series_labels, example.series) if name == alert.metric.name]
        if len(matching) == 1:
            return matching[0]
    raise ValueError(f"example {example.name!r} fires but cannot infer its labels: give labels={{...}}")


def expected_value(alert: Alert, example: Example) -> float | None:
    """The alert's value at `at`: given, or the constant of a single input series of the alert's metric."""
    if example.value is not None:
        return example.value
    if alert.metric is not None and len(example.series) == 1:
        (selector, values), = example.series.items()
        if series_labels(selector)[0] == alert.metric.name and "x" in values and " " not in values.strip():
            base = values.split("x")[0]
            if "+" not in base and "-" not in base[1:]:
                return float(base)
    return None


def alert_labels(project: Project, alert: AlertRule) -> dict[str, str]:
    """Labels the rule adds to every alert it fires, as written (a value may be a template)."""
    return {conventions.SEVERITY_LABEL: alert.severity, **alert.labels, **escalation_labels(project, alert)}


def sent_labels(project: Project, alert: AlertRule) -> dict[str, str]:
    """The labels Alertmanager routes the alert by: the rule's, and the stack's external labels, which the ruler's
    notifier adds to every alert that lacks them (Prometheus' notifier.go; Loki's ruler runs the same)."""
    return {**project.stack.external_labels, **alert_labels(project, alert)}


def fired_labels(project: Project, alert: Alert, example: Example) -> dict[str, str]:
    """The labels a firing example's alert carries: its result's labels, then the rule's, each value expanded as
    Prometheus expands it (rules/alerting.go: the template sees the result's labels, not the rule's)."""
    result = expression_labels(alert, example)
    value = expected_value(alert, example)
    stack = project.stack
    return {**result, **{name: render(text, result, value, stack.external_labels, stack.prometheus_external_url)
                         for name, text in alert_labels(project, alert).items()}}


def expected_alert(project: Project, alert: Alert, example: Example,
                   annotations: dict[str, str]) -> dict[str, dict[str, str]]:
    """promtool's exp_alerts entry for a firing example.

    Prometheus expands annotations with `$labels` holding the labels of the expression's result only: a label the
    rule itself sets (severity, the escalation policy, Alert.labels) prints empty there (SM011 warns of it), and
    `$externalLabels` holds the server's external_labels and `$externalURL` its external URL (the test gives
    promtool the stack's)."""
    result = expression_labels(alert, example)
    value = expected_value(alert, example)
    stack = project.stack
    rendered = {key: render(text, result, value, stack.external_labels, stack.prometheus_external_url)
                for key, text in annotations.items()}
    labels = fired_labels(project, alert, example)
    return {"exp_labels": dict(sorted(labels.items())), "exp_annotations": dict(sorted(rendered.items()))}
