"""promtool scenarios per SLO: constant error rates fed through its real rules, and which alerts fire when; and its
inputs vanishing and coming back."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.derive.escalation import keep_firing_for
from generator.derive.examples import alert_labels
from generator.derive.slo.feed import Segment, input_series
from generator.derive.slo.rules import group
from generator.derive.slo.scenarios import EVALUATION_STEP, Scenario, burning_rate, sample_step, scenarios
from generator.model import SLO, Alert, conventions
from generator.model.conventions import NOT_ESCALATION
from generator.model.project import Project
from generator.model.sli import Feed
from generator.model.slo import number
from generator.targets.rule_tests import promtool_file


def _at(minute: int) -> str:
    return format_seconds(minute * 60)


def _labels(labels: dict[str, str], name: str = "") -> str:
    inner = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _firing(project: Project, slo: SLO, alert: Alert) -> dict[str, Any]:
    """The ALERTS sample of the alert firing: its labels, value 1."""
    labels = {**slo.series_labels, **alert_labels(project, alert), "alertname": alert.name, "alertstate": "firing"}
    return {"labels": _labels(labels, "ALERTS"), "value": 1}


def scenario_test(project: Project, slo: SLO, scenario: Scenario) -> dict[str, Any]:
    """One promtool test group: the scenario's series, its alert checks and its value checks.

    An alert check reads the alert's state from ALERTS, not from an alert_rule_test: that would compare the
    annotations too, and they show the long window's share of bad events, which the scenarios predict only to
    within MARGIN of a threshold (the alert examples check the annotations).
    """
    alerts = {burn.long: project.alerts[slo.alert(burn)] for burn in slo.alerting.windows}
    alert_checks = [
        {"expr": f'ALERTS{{alertname="{alert.name}", alertstate="firing", {NOT_ESCALATION}}}',
         "eval_time": _at(check.minute),
         "exp_samples": [_firing(project, slo, alert)] if long in check.firing else []}
        for check in scenario.checks for long, alert in alerts.items() if long in check.asserted
    ]
    value_checks = [
        {"expr": value.expr, "eval_time": _at(value.minute),
         "exp_samples": [{"labels": _labels(slo.series_labels, "" if " " in value.expr else value.expr),
                          "value": value.value}]}
        for value in scenario.values
    ]
    return {
        "name": f"{slo.service} {slo.name}: {scenario.name}",
        "interval": f"{sample_step(slo)}m",
        "input_series": [{"series": s, "values": v}
                         for s, v in input_series(slo.sli, scenario.segments, sample_step(slo)).items()],
        "promql_expr_test": alert_checks + value_checks,
    }


def absent_test(project: Project, slo: SLO) -> dict[str, Any]:
    """The SLI's inputs vanish in the middle of its fastest page's burn, then return on a quiet night.

    The absent alert is pending its `for` after the staleness markers, then fires while the page still does (the
    page's resolution, for want of inputs, comes after the page that explains it); it keeps firing while the inputs
    are gone, though the page resolves; it resolves its hold after they return, with no traffic.
    """
    page = max(slo.alerting.windows, key=lambda burn: burn.factor(slo.window))
    absent, burning = project.alerts[slo.absent_alert], project.alerts[slo.alert(page)]
    wait, short = int(parse_seconds(absent.for_) // 60), int(parse_seconds(page.short) // 60)
    hold, page_hold = math.ceil(parse_seconds(keep_firing_for(project, absent)) / 60), holds(project, slo)[page.long]
    gone, back = 61, 91  # staleness markers one minute after an hour of burn; the inputs back half an hour later
    ratio = Decimal(number(burning_rate(slo, page.factor(slo.window), 2) * slo.budget))
    feeds = {series.selector: series.feed for series in slo.sli.test_series()}
    series = [{"series": name, "values": f"{values} stale _x{back - gone - 1} "
                                         f"{1 if feeds[name] is Feed.GOOD_SHARE else 0}x{hold + 10}"}
              for name, values in input_series(slo.sli, [Segment(gone - 1, ratio)]).items()]

    def state(alert: Alert, minute: int, fires: bool) -> dict[str, Any]:
        return {"expr": f'ALERTS{{alertname="{alert.name}", alertstate="firing", {NOT_ESCALATION}}}',
                "eval_time": _at(minute), "exp_samples": [_firing(project, slo, alert)] if fires else []}

    states = [state(burning, gone - 1, True), state(absent, gone - 1, False),
              state(absent, gone + wait - 1, False),  # pending: a failed scrape or two pages nobody
              state(absent, gone + wait, True), state(absent, back - 1, True), state(absent, back + hold + 1, False)]
    states += [state(absent, back + hold - 1, True)] if hold else []
    # the page's short ratio keeps two samples until `short - 3` minutes after the markers (1m samples), the page
    # its hold after that
    if wait <= short - 3 or page_hold >= wait:
        states.append(state(burning, gone + wait, True))
    if gone + short + page_hold < back - 1:
        states.append(state(burning, back - 1, False))
    return {"name": f"{slo.service} {slo.name}: inputs gone during a burn, back on a quiet night: "
                    f"{absent.name} fires after {wait}m, resolves {hold}m after they return",
            "interval": "1m", "input_series": series, "promql_expr_test": states}


def holds(project: Project, slo: SLO) -> dict[str, int]:
    """Minutes each burn window's alert keeps firing after its condition clears (its escalation's flap tolerance)."""
    return {burn.long: math.ceil(parse_seconds(keep_firing_for(project, project.alerts[slo.alert(burn)])) / 60)
            for burn in slo.alerting.windows}


def render(project: Project) -> dict[str, Any]:
    """prometheus/tests/slo-<slo>-scenarios[-every-<step>].yml per SLO, reading only that SLO's rule file.

    Like the alert examples, scenarios pin real windows, so a profiled build (compressed time) has none.
    """
    if project.profile is not None:
        return {}
    files: dict[str, Any] = {}
    for slo in project.all(SLO):
        for scenario in scenarios(slo, holds(project, slo)):
            every = "" if scenario.step == EVALUATION_STEP else f"-every-{scenario.step}m"
            document = files.setdefault(f"{conventions.RULE_TESTS_DIR}/{group(slo)}{conventions.SLO_SCENARIO_TESTS}"
                                        f"{every}.yml", {
                **promtool_file(project, group(slo), f"{scenario.step}m"), "tests": []})
            document["tests"].append(scenario_test(project, slo, scenario))
        if slo.absent_alert in project.alerts:  # switched off, or no input exists from its exporter's start
            files[f"{conventions.RULE_TESTS_DIR}/{group(slo)}{conventions.SLO_ABSENT_TESTS}.yml"] = {
                **promtool_file(project, group(slo), "1m"), "tests": [absent_test(project, slo)]}
    return files
