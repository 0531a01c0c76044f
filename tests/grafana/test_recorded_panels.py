"""The latency and request-rate panels read series recorded over pods (fast at any pod count) and keep their trace
links: an exemplars-only query of the raw histogram, whose values Prometheus reads at 1970 (`@ 0`: none, at no cost)
and whose exemplars Grafana asks for over the dashboard's range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generator.core.duration import parse_seconds
from generator.core.promql import metric_names, selectors
from generator.model import Panel, Query
from generator.model.project import Project
from generator.targets.grafana_panels import target_json
from tests.conftest import ROOT
from tests.servers import promtool_test

BUCKETS = "http_request_duration_seconds_bucket"
REQUESTS = "http_requests_total"
RECORDED_BUCKETS = "job_service_endpoint_le:http_request_duration_seconds_bucket:rate1m"
RECORDED_REQUESTS = "job_service_endpoint_status:http_requests:rate1m"
LATENCY_PANELS = {("Development", "Latency Heatmap"): 'service=~"$service"',
                  ("Development", "Response Times by Endpoint"): 'service=~"$service"',
                  ("Operations", "Response Times"): 'job=~"$job"'}
P50 = 0.1 + (0.5 - 0.1) * (3 - 2) / (4 - 2)
"""histogram_quantile's p50 of the test's buckets, as Prometheus computes it (0.30000000000000004)."""
REQUEST_PANELS = {("Development", "Errors by Endpoint"), ("Development", "Requests by Endpoint"),
                  ("Operations", "Throughput"), ("Operations", "Error Rates")}


def _targets(compiled: dict[str, dict[str, Any]], dashboard: str, title: str) -> list[dict[str, Any]]:
    document = next(d for d in compiled.values() if d.get("title") == dashboard)
    panel = next(p for p in document["panels"] if p.get("title") == title)
    return list(panel["targets"])


def _promql(expr: str) -> str:
    """A target's expression as Grafana sends it at the dashboards' default hour, every variable at All."""
    return (expr.replace("$__interval", "15s").replace("$__rate_interval", "1m")
            .replace('"$job"', '".*"').replace('"$service"', '".*"'))


def _grafana_asks_exemplars(targets: list[dict[str, Any]], index: int, histograms: tuple[str, ...]) -> bool:
    """Grafana's shouldRunExemplarQuery (packages/grafana-prometheus/src/datasource.ts): a target's exemplars are
    asked for unless an earlier shown target's expression contains the histogram name its own contains."""
    target = targets[index]
    if not target.get("exemplar"):
        return False
    name = next((h for h in histograms if h in target["expr"]), None)
    return name is None or not any(name in t["expr"] for t in targets[:index] if not t.get("hide"))


def test_the_latency_and_request_panels_read_the_recorded_series_and_keep_their_trace_links(
        compiled: dict[str, dict[str, Any]]) -> None:
    for (dashboard, title), matchers in LATENCY_PANELS.items():
        targets = _targets(compiled, dashboard, title)
        drawn = [t for t in targets if not t.get("exemplar")]
        assert drawn and all(metric_names(_promql(t["expr"])) == {RECORDED_BUCKETS} for t in drawn), (title, drawn)
        links = [i for i in range(len(targets)) if _grafana_asks_exemplars(targets, i, (BUCKETS,))]
        assert len(links) == 1, f"{title}: Grafana asks exemplars for targets {links}"
        link = targets[links[0]]
        found = [(s.name, s.matchers) for s in selectors(_promql(link["expr"])) if s.name]
        assert found == [(BUCKETS, frozenset({_promql(matchers)}))], title
        assert link["expr"].endswith(" @ 0)")  # it draws nothing: only its exemplars show
    for dashboard, title in REQUEST_PANELS:
        targets = _targets(compiled, dashboard, title)
        assert all(metric_names(_promql(t["expr"])) == {RECORDED_REQUESTS} for t in targets), (title, targets)


def test_an_exemplars_only_query_reads_no_value_and_comes_first() -> None:
    link = Query(expr='x_bucket{job=~"$job"}', exemplars_only=True)
    target = target_json(link, 0)
    assert (target["expr"], target["range"], target["exemplar"]) == (
        'rate(x_bucket{job=~"$job"}[$__rate_interval] @ 0)', True, True)
    drawn = Query(expr="histogram_quantile(0.9, sum by (le) (job_le:x_bucket:rate1m))")
    Panel(title="p", kind="line", unit="s", queries=(link, drawn))
    with pytest.raises(ValidationError, match="exemplars_only come before the others"):
        Panel(title="p", kind="line", unit="s", queries=(drawn, link))
    with pytest.raises(ValidationError, match="takes a series selector such as"):
        Query(expr="rate(x_bucket[5m])", exemplars_only=True)
    with pytest.raises(ValidationError, match="no instant and no format"):
        Query(expr="x_bucket", exemplars_only=True, format="heatmap")


def test_the_recording_rules_read_at_least_four_scrapes(project: Project) -> None:
    scrape = parse_seconds(project.stack.scrape_interval)
    for name in (RECORDED_BUCKETS, RECORDED_REQUESTS):
        windows = [s.window for s in selectors(project.recording_rules[name].expr) if s.window]
        assert windows and min(windows) >= 4 * scrape, (name, windows, scrape)


def _panel_expr(compiled: dict[str, dict[str, Any]], dashboard: str, title: str, index: int = -1) -> str:
    return _promql(str(_targets(compiled, dashboard, title)[index]["expr"]))


def test_the_panels_show_over_the_recordings_what_they_showed_over_the_raw_series(
        compiled: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """Two pods of one service, each serving 3 requests a second with 200 and 1 with 500, a third of them within
    0.1 s and two thirds within 0.5 s: the rules (promtool, over the shipped rule file) and the panels over them
    give what the raw queries gave, p50 0.3 s (halfway through the 0.1-0.5 s bucket) and 25% errors."""
    pods = ("api-0", "api-1")
    series = [{"series": f'{BUCKETS}{{job="api",instance="{pod}",service="api",endpoint="/api/search",'
                         f'method="GET",status="200",le="{le}"}}', "values": f"0+{per_15s}x40"}
              for pod in pods for le, per_15s in (("0.1", 15), ("0.5", 30), ("+Inf", 45))]
    series += [{"series": f'{REQUESTS}{{job="api",instance="{pod}",service="api",endpoint="/api/search",'
                          f'method="GET",status="{status}"}}', "values": f"0+{per_15s}x40"}
               for pod in pods for status, per_15s in (("200", 45), ("500", 15))]
    api = '{service="api"}'
    raw_p50 = f"histogram_quantile(0.5, sum by (service, le) (rate({BUCKETS}[1m])))"
    expected = [
        (raw_p50, api, P50),
        (_panel_expr(compiled, "Operations", "Response Times", 1).replace("0.95", "0.5"), api, P50),
        (_panel_expr(compiled, "Development", "Latency Heatmap"), '{le="0.5"}', 4),  # 2 pods x 2 a second
        (_panel_expr(compiled, "Operations", "Throughput"), api, 8),
        (f'sum by (service) (rate({REQUESTS}{{status=~"5.."}}[1m])) / sum by (service) (rate({REQUESTS}[1m]))',
         api, 0.25),
        (_panel_expr(compiled, "Operations", "Error Rates"), api, 0.25),
        (_panel_expr(compiled, "Development", "Errors by Endpoint"), '{endpoint="/api/search"}', 2),
    ]
    checks = []
    for expr, labels, value in expected:
        found = [{"labels": labels, "value": value}]
        if "le=" in labels:
            found = [{"labels": f'{{le="{le}"}}', "value": v} for le, v in (("0.1", 2), ("0.5", 4), ("+Inf", 6))]
        checks.append({"expr": expr, "eval_time": "8m", "exp_samples": found})
    rules = ROOT / "out" / "prometheus" / "rules" / "dashboards.yml"
    document = {"rule_files": [str(rules)], "evaluation_interval": "15s", "tests": [
        {"name": "two pods", "interval": "15s", "input_series": series, "promql_expr_test": checks}]}
    result = promtool_test(document, tmp_path / "recorded.yml")
    assert result.returncode == 0, result.stdout + result.stderr
