"""bench/dashboard_volume.py's data: what promtool makes of the written fleet, and how far back each series goes."""

from __future__ import annotations

import calendar
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import requests

from bench.dashvol.fleet import metric_series
from bench.dashvol.loads import Opening
from bench.dashvol.reads import ReadsBuilder, shipped_rules
from bench.dashvol.tsdb import Spanned, prometheus, write_raw
from generator.checks.lint.dashboard_json import panels
from generator.model import Metric, MetricType, Source
from generator.preview.page import PAGE_WIDTH
from generator.preview.source import dashboards, scrape_interval

ROOT = Path(__file__).resolve().parents[2]
END = calendar.timegm((2026, 11, 30, 18, 0, 0))
DUMPED = re.compile(r"^\{(.*)\} (\S+) (\d+)$")


def _dump(data: Path) -> dict[tuple[tuple[str, str], ...], list[tuple[int, float]]]:
    (data / "wal").mkdir(exist_ok=True)  # promtool's dump opens the TSDB's WAL, which backfilled blocks come without
    dumped = subprocess.run(["promtool", "tsdb", "dump", str(data)], capture_output=True, text=True, check=True,
                            timeout=60).stdout
    series: dict[tuple[tuple[str, str], ...], list[tuple[int, float]]] = defaultdict(list)
    for line in dumped.splitlines():
        found = DUMPED.match(line)
        assert found, line
        labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', found[1])))
        series[labels].append((int(found[3]) // 1000, float(found[2])))
    return series


def test_a_histogram_written_in_three_block_files_is_one_unbroken_series_each_in_promtools_blocks(
        tmp_path: Path) -> None:
    metric = Metric(name="req_duration_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION, help="x",
                    labels=("status",), buckets=(0.1, 1.0))
    written = metric_series(metric, scale=0.0, seed=7)  # the smallest fleet: one pod per service, one of them api's
    data, work = tmp_path / "data", tmp_path / "work"
    data.mkdir()
    work.mkdir()
    # 3 h back from 18:00 crosses the block boundaries at 16:00 and 18:00: three files, three promtool runs
    samples = write_raw([Spanned(s, 3 * 3600) for s in written], END, 15.0, data, work, jobs=2)

    series = _dump(data)
    pods, statuses, per_histogram = 1, 5, 2 + 1 + 2  # api's pod (no service label); two bounds, +Inf, _sum, _count
    assert len(series) == len(written) == pods * statuses * per_histogram
    assert samples == sum(len(points) for points in series.values()) == len(series) * (3 * 240 + 1)
    for labels, points in series.items():
        times = [t for t, _ in points]
        assert times == list(range(END - 3 * 3600, END + 1, 15)), labels  # no gap or repeat where files meet
        values = [v for _, v in points]
        assert values == sorted(values), f"{labels} decreases: a counter reset Prometheus would see"
    by_time: dict[tuple[tuple[str, str], ...], dict[str, list[float]]] = defaultdict(dict)
    for labels, points in series.items():
        named = dict(labels)
        if named["__name__"].endswith("_sum"):
            continue
        key = tuple(sorted((k, v) for k, v in labels if k not in ("__name__", "le")))
        by_time[key][named.get("le", "count")] = [v for _, v in points]
    for key, buckets in by_time.items():
        for k in range(3 * 240 + 1):
            below = [buckets[le][k] for le in ("0.1", "1", "+Inf")]
            assert below == sorted(below) and below[-1] == buckets["count"][k], (key, k, below)


def test_each_series_goes_back_as_far_as_the_shipped_dashboards_read_it_through_recording_rules() -> None:
    rules = shipped_rules(ROOT / "out" / "prometheus" / "rules", 15.0)
    cpu = {"__name__": "node_cpu_seconds_total", "instance": "10.1.0.1:9100", "cpu": "0"}
    operations = [d for d in dashboards(ROOT / "out" / "grafana") if d.uid == "operations"]

    builder = ReadsBuilder(rules, {"node_cpu_seconds_total"}, raw_cap=3 * 86400, rule_cap=6 * 3600)
    builder.dashboard(operations[0], END, 1440, 15.0)
    # a 1 h panel of instance:cpu_usage:percent (5 m lookback) over rate(node_cpu_seconds_total{mode="idle"}[5m])
    assert builder.reads.rules["instance:cpu_usage:percent"] == 3600 + 300
    assert builder.reads.span("node_cpu_seconds_total", {**cpu, "mode": "idle"}) == 3600 + 300 + 300
    assert builder.reads.span("node_cpu_seconds_total", {**cpu, "mode": "user"}) == 0  # no panel reads it

    capped = ReadsBuilder(rules, {"node_cpu_seconds_total"}, raw_cap=3 * 86400, rule_cap=1800)
    capped.dashboard(operations[0], END, 1440, 15.0)
    assert capped.reads.rules["instance:cpu_usage:percent"] == 1800
    assert capped.reads.span("node_cpu_seconds_total", {**cpu, "mode": "idle"}) == 1800


def test_a_dashboard_opening_asks_the_exemplars_of_each_target_grafana_asks_them_for(tmp_path: Path) -> None:
    """Grafana sends /api/v1/query_exemplars once per target with `exemplar: true` (promlib's fetch, beside the range
    query): the bench's opening sends it too, and times it, against the real prometheus."""
    grafana = ROOT / "out/grafana"
    development = next(d for d in dashboards(grafana) if d.title == "Development")
    asked = [t for p in panels(development.document) for t in p.get("targets", []) if t.get("exemplar")]
    assert len(asked) == 2  # the heatmap's and the response times' trace links
    (tmp_path / "data").mkdir()
    with prometheus(tmp_path / "data", tmp_path) as url:
        opening = Opening(development, url, END, PAGE_WIDTH, scrape_interval(grafana))
        load = opening.load(parallel=2)
        sent = opening.queries(development.variable_defaults())
        metrics = requests.get(f"{url}/metrics", timeout=10).text
    served = re.findall(r'http_requests_total\{code="200",handler="/api/v1/query_exemplars"\} (\d+)', metrics)
    assert served == [str(len(asked))]
    # timed as queries of their own: the trace links' selectors, read over the panel's range
    assert [(q.panel, q.request.expr.endswith(" @ 0)")) for q in sent if q.exemplars] == [
        ("Latency Heatmap (exemplars)", True), ("Response Times by Endpoint (exemplars)", True)]
    assert len(load.answers) == len(sent) and [a.error for a in load.answers] == [""] * len(sent)
