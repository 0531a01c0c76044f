"""promtool unit tests: one test group per alert example, plus escalation timing per policy."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.core.gotemplate import render as render_template
from generator.core.promql import metric_names
from generator.derive.escalation import ESCALATED_NAME_LABEL, POLICY_LABEL, EscalationRule, escalation_rules
from generator.derive.examples import expected_alert
from generator.derive.rulesets import rule_sets_for_tests
from generator.model import Alert, EscalationPolicy, conventions
from generator.model.project import Project
from generator.targets.prometheus import alert_rule

EVALUATION_INTERVAL = "1m"


def rule_files(project: Project, group: str) -> list[str]:
    """A group's rule file and those recording the series its rules read, transitively.

    A test loads only these, so a long history (a 7-day example) is not evaluated against every rule.
    """
    needed = {group}
    todo = [alert.condition for alert in project.alerts.values() if alert.group == group]
    todo += [rule.expr for rule in project.recording_rules.values() if rule.group == group]
    while todo:
        for name in metric_names(todo.pop()):
            rule = project.recording_rules.get(name)
            if rule is not None and rule.group not in needed:
                needed.add(rule.group)
                todo.append(rule.expr)
    files = [conventions.rule_file(name) for name in sorted(needed)]
    files += [conventions.rule_set_file(rule_set.name) for rule_set in rule_sets_for_tests(project)]
    return ["../" + path.removeprefix("prometheus/") for path in files]


def _alert_tests(project: Project, alert: Alert) -> list[tuple[str, dict[str, Any]]]:
    """(evaluation interval, test group) per example: long histories are evaluated at their own spacing."""
    annotations = alert_rule(project, alert)["annotations"]
    tests = []
    for example in alert.examples:
        expected = [expected_alert(alert, example, annotations)] if example.fires else []
        tests.append((example.interval, {
            "name": f"{alert.name}: {example.name}",
            "interval": example.interval,
            "input_series": [{"series": s, "values": v} for s, v in example.series.items()],
            "alert_rule_test": [{"eval_time": example.at, "alertname": alert.name, "exp_alerts": expected}],
        }))
    return tests


def _escalation_expectation(project: Project, level: EscalationRule, labels: dict[str, str]) -> dict[str, Any]:
    alert_labels = {**labels, **level.labels, ESCALATED_NAME_LABEL: labels["alertname"]}
    del alert_labels["alertname"], alert_labels["alertstate"]
    annotations = {
        **level.annotations,
        "runbook_url": conventions.runbook_url(project.stack.docs_url, f"{{{{ $labels.{ESCALATED_NAME_LABEL} }}}}"),
    }
    return {
        "exp_labels": dict(sorted(alert_labels.items())),
        "exp_annotations": {k: render_template(v, alert_labels, None) for k, v in sorted(annotations.items())},
    }


def _escalation_tests(project: Project, policy: EscalationPolicy) -> list[dict[str, Any]]:
    """An alert firing for longer than the last level climbs every level, each no sooner than its delay."""
    levels = escalation_rules(policy)
    horizon = int(parse_seconds(levels[-1].after) // 60) + 10
    labels = {"alertname": "ExampleAlert", "alertstate": "firing", POLICY_LABEL: policy.name,
              "severity": "critical", "instance": "web-1"}
    selector = "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    checks: list[dict[str, Any]] = []
    for level in levels:
        delay = parse_seconds(level.after)
        checks.append({"eval_time": format_seconds(delay - 60), "alertname": level.alertname, "exp_alerts": []})
        checks.append({"eval_time": format_seconds(delay + 120), "alertname": level.alertname,
                       "exp_alerts": [_escalation_expectation(project, level, labels)]})
    resolved_at = int(parse_seconds(levels[0].after) // 60) + 5
    early = [{"eval_time": format_seconds(parse_seconds(level.after) + 120), "alertname": level.alertname,
              "exp_alerts": []} for level in levels[1:]]
    tests = [{
        "name": f"escalation {policy.name}: an unresolved alert climbs every level on time",
        "interval": "1m",
        "input_series": [{"series": selector, "values": f"1x{horizon}"}],
        "alert_rule_test": checks,
    }]
    if early:
        tests.append({
            "name": f"escalation {policy.name}: an alert resolved after level 1 climbs no further",
            "interval": "1m",
            "input_series": [{"series": selector, "values": f"1x{resolved_at} stale"}],
            "alert_rule_test": early,
        })
    return tests


def render(project: Project) -> dict[str, Any]:
    """A promtool test file per rule group and evaluation interval, and one per escalation policy.

    Tests pin the definitions' real timings, so a profiled build (compressed time) has none.
    """
    if project.profile is not None:
        return {}
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for alert in project.alerts.values():
        for interval, test in _alert_tests(project, alert):
            by_file[alert.group, interval].append(test)
    for policy in project.escalation_policies.values():
        by_file[f"escalation-{policy.name}", EVALUATION_INTERVAL].extend(_escalation_tests(project, policy))
    files = {}
    for (group, interval), tests in sorted(by_file.items()):
        name = group if interval == EVALUATION_INTERVAL else f"{group}-every-{interval}"
        files[f"{conventions.RULE_TESTS_DIR}/{name}.yml"] = {
            "rule_files": rule_files(project, group), "evaluation_interval": interval, "tests": tests}
    return files
