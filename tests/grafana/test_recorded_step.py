"""GD009 says what Prometheus does: a panel reading a recorded series over [$__interval] draws a value at every step
of Grafana's shortest step when the rule is evaluated as often (the shipped 15 s), and gaps when it is evaluated
less often (1 m). promtool evaluates the shipped rule file at the evaluation interval and runs the panel's query at
each step, as a range query does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from generator.checks.lint import RULES, lint
from generator.checks.lint.dashboard_json import LintContext
from generator.checks.lint.rule_evaluation import Recorded
from generator.core.duration import format_seconds, parse_seconds
from tests.conftest import ROOT
from tests.servers import promtool_test

OUT = ROOT / "out"
RULE_FILE = OUT / "prometheus/rules/dashboards.yml"
DASHBOARD = OUT / "grafana/dashboards/Development/development.json"
PANEL = "Requests by Endpoint"
RECORDED = "job_service_endpoint_status:http_requests:rate1m"
STEPS = [f"{5 * 60 + 15 * k}s" for k in range(9)]
"""Grafana's steps over two minutes, from 5m on (the rule's 1m rate has its input by then)."""
GD009 = next(rule for rule in RULES if rule.CODE == "GD009")


def provisioned_step() -> float:
    """The data source's timeInterval, as out/grafana provisions it."""
    provisioning = yaml.safe_load((OUT / "grafana/provisioning/datasources/obsgen.yml").read_text())
    source = next(s for s in provisioning["datasources"] if s["type"] == "prometheus")
    return parse_seconds(source["jsonData"]["timeInterval"])


def _panel_query(dashboard: dict[str, Any]) -> str:
    """The panel's query as Grafana sends it at its shortest step, every service."""
    panels = [p for top in dashboard["panels"] for p in [top, *top.get("panels", [])]]
    (target,) = next(p for p in panels if p.get("title") == PANEL)["targets"]
    expr: str = target["expr"]
    return expr.replace("$__interval", format_seconds(provisioned_step())).replace('"$service"', '".*"')


def _drawn_at_every_step(evaluation_interval: str, tmp_path: Path) -> tuple[bool, set[str]]:
    """promtool with the shipped rule file evaluated every evaluation_interval: whether the panel's query returns
    the endpoint's line at every step, and the steps where it returns nothing."""
    query = _panel_query(json.loads(DASHBOARD.read_text()))
    test = {"rule_files": [str(RULE_FILE)], "evaluation_interval": evaluation_interval, "tests": [{
        "interval": "15s",
        "input_series": [{"series": 'http_requests_total{job="api",service="api",endpoint="/orders",status="200"}',
                          "values": "0+30x40"}],  # 2 requests a second, scraped every 15 s
        "promql_expr_test": [{"expr": f"count({query})", "eval_time": step, "exp_samples": [{"labels": "{}",
                                                                                             "value": 1}]}
                             for step in STEPS]}]}
    result = promtool_test(test, tmp_path / f"every-{evaluation_interval}.yml")
    gaps = set(re.findall(r"time: (\S+),\n\s+exp: \{\} 1E\+00\n\s+got: nil", result.stdout + result.stderr))
    return result.returncode == 0, gaps


def _findings(every: float) -> list[str]:
    context = LintContext(recorded={RECORDED: Recorded("dashboards", "prometheus/rules/dashboards.yml", every,
                                                       own_interval=False)}, min_step=provisioned_step())
    return [message for panel, message in lint(json.loads(DASHBOARD.read_text()), context, GD009)
            if panel.get("title") == PANEL]


def test_the_shipped_evaluation_interval_draws_every_step_and_gd009_passes_it(tmp_path: Path) -> None:
    interval = yaml.safe_load((OUT / "prometheus/prometheus.yml").read_text())["global"]["evaluation_interval"]
    assert "interval" not in yaml.safe_load(RULE_FILE.read_text())["groups"][0]  # the global one applies
    assert _drawn_at_every_step(interval, tmp_path) == (True, set())
    assert _findings(parse_seconds(interval)) == []


def test_an_evaluation_interval_longer_than_the_step_draws_gaps_and_gd009_says_so(tmp_path: Path) -> None:
    complete, gaps = _drawn_at_every_step("1m", tmp_path)
    assert not complete
    # between two evaluations (5m, 6m) the 15 s windows hold no sample; at an evaluation the line is drawn
    assert {"5m30s", "5m45s", "6m30s", "6m45s"} <= gaps and not {"5m", "6m", "7m"} & gaps, gaps
    (message,) = _findings(60.0)
    assert "rule group 'dashboards'" in message and "evaluated every 1m" in message
