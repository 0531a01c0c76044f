"""The dashboard model, layout, identity, cross-links, provisioning and docs."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generator.build import compile_project, load
from generator.core.errors import DefinitionError
from generator.derive.dashboards import alert_panel, dashboard_url, heartbeat_names, listed_alerts
from generator.derive.layout import CELL_PX, GAP_PX, TIMELINE_FRAME_PX, TIMELINE_ROW_PX, Box, layout
from generator.derive.timeline_rows import timeline_rows
from generator.load import loader
from generator.model import SLO, Dashboard, GrafanaSettings, Panel, Row
from generator.model.identity import panel_id
from generator.model.project import Project
from generator.targets import dashboard_docs, grafana, grafana_provisioning, prometheus
from tests.grafana.conftest import DEFINITIONS
from tests.servers import promtool_test


def _panel(title: str, kind: str = "line", **extra: Any) -> Panel:
    return Panel(title=title, kind=kind, description="d", unit="short", queries="up", **extra)


def test_layout_wraps_at_24_columns_and_never_overlaps() -> None:
    panels = [_panel("a"), _panel("b"), _panel("c", kind="stat"), _panel("d", width=24, height=3)]
    placed = layout([(None, panels), (Row(title="More", panels=(_panel("e", kind="table"),)), [_panel("e")])])
    boxes = [p.box for p in placed]
    assert boxes[:4] == [Box(0, 0, 12, 8), Box(12, 0, 12, 8), Box(0, 8, 6, 5), Box(0, 13, 24, 3)]
    assert boxes[4] == Box(0, 16, 24, 1)  # the row header
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_collapsed_row_takes_one_grid_row() -> None:
    collapsed = Row(title="Details", collapsed=True, panels=(_panel("x"),))
    placed = layout([(collapsed, collapsed.panels), (Row(title="Next", panels=(_panel("y"),)), [_panel("y")])])
    assert [p.box.y for p in placed] == [0, 1, 1, 2]


def test_a_state_timeline_whose_rows_are_known_is_tall_enough_to_name_each_and_a_given_height_wins() -> None:
    timeline, given = _panel("t", kind="status_grid"), _panel("g", kind="status_grid", height=4)
    placed = layout([(None, [timeline, given, _panel("l")])], lambda panel: 41)
    assert [p.box.h for p in placed] == [23, 4, 8]
    assert 23 * (CELL_PX + GAP_PX) - GAP_PX - TIMELINE_FRAME_PX >= 41 * TIMELINE_ROW_PX
    assert [p.box.h for p in layout([(None, [timeline])], lambda panel: 2)] == [8]  # never below the default
    assert [p.box.h for p in layout([(None, [timeline])])] == [8]  # rows unknown


@pytest.mark.parametrize(("expr", "rows"), [
    ('max by (alertname) (ALERTS{alertstate="firing"})', "alerts"),
    ('max by (alertname) (ALERTS{alertname=~"Cpu.*|MemoryHigh"})', 2),
    ('max by (alertname) (ALERTS{alertname!="Watchdog"})', "alerts - 1"),
    ("up", "targets"),
    ('up{job=~".*"}', "targets"),
    ("max by (job) (up)", "jobs"),
    ('up{job="alertmanager"}', 2),  # its two targets
    ('max by (alertname) (ALERTS{alertname="CpuHigh"} or ALERTS{alertname="MemoryHigh"})', 2),
    ("sum(up)", 1),
    ("max by (severity) (ALERTS)", None),  # a label whose values only Prometheus knows
    ("http_requests_total", None),
])
def test_the_rows_of_a_timeline_are_counted_from_the_alerts_and_scrape_targets(
        project: Project, expr: str, rows: int | str | None) -> None:
    timeline = Panel(title="t", kind="status_grid", description="d", unit="none", queries=expr)
    line = Panel(title="l", kind="line", description="d", unit="none", queries=expr)
    dashboard = Dashboard(name="Timelines", description="d", panels=(timeline, line))
    counts = {"alerts": len(project.alerts), "alerts - 1": len(project.alerts) - 1, "jobs": len(project.scrape_jobs),
              "targets": sum(len(job.targets) for job in project.scrape_jobs)}
    expected = counts[rows] if isinstance(rows, str) else rows
    assert timeline_rows(project, dashboard, timeline) == expected
    assert timeline_rows(project, dashboard, line) is None  # only timelines are sized


def test_the_shipped_timelines_name_every_alert_and_target_legibly(
        project: Project, compiled: dict[str, dict[str, Any]]) -> None:
    checked = 0
    for document in compiled.values():
        for panel in document.get("panels", ()):
            if panel.get("type") == "state-timeline":
                dashboard = next(d for d in project.all(Dashboard) if d.uid == document["uid"])
                rows = timeline_rows(project, dashboard, next(p for p in dashboard.all_panels
                                                              if p.title == panel["title"]))
                assert rows is not None, panel["title"]
                pixels = panel["gridPos"]["h"] * (CELL_PX + GAP_PX) - GAP_PX - TIMELINE_FRAME_PX
                assert pixels / rows >= TIMELINE_ROW_PX, panel["title"]
                checked += 1
    # Alert Timeline (40 alerts, not Watchdog), Targets Up, System Overview (10 + 3 unscraped), and each SLO's SLI
    # inputs (one row per input)
    assert checked == 3 + len(project.all(SLO))


def test_plan_chart_names_map_to_grafana_visualisations() -> None:
    assert _panel("a", kind="big_number").kind.value == "stat"
    assert _panel("b", kind="status_grid").kind.value == "state-timeline"
    assert _panel("c", kind="bar").kind.value == "barchart"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "text", "queries": "up"}, "takes content and no queries"),
    ({"queries": ()}, "needs at least one query"),
    ({"min": 5, "max": 1}, "must be below max"),
])
def test_panels_are_validated_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Panel(title="t", **{"kind": "line", "queries": "up", **kwargs})


def test_titles_are_unique_per_dashboard_because_ids_derive_from_them() -> None:
    with pytest.raises(ValidationError, match="is used twice"):
        Dashboard(name="D", description="d", panels=(_panel("CPU"), _panel("CPU")))
    dashboard = Dashboard(name="D", description="d", panels=(_panel("CPU"),))
    assert dashboard.variables[0].name == "datasource"
    assert panel_id("CPU") == panel_id("cpu") and panel_id("CPU") != panel_id("Memory")


def test_unchanged_definitions_rebuild_byte_identical_files(project: Project) -> None:
    first = compile_project(project)
    assert first == compile_project(load(DEFINITIONS))
    assert sum(path.startswith("grafana/dashboards/") for path in first) == len(project.all(Dashboard))


def test_every_alert_dashboard_url_opens_the_panel_plotting_its_series(project: Project) -> None:
    cpu = project.alerts["CpuHigh"]
    target = alert_panel(project, cpu)
    assert target is not None and target[1].title == "CPU Usage"
    # opened on the host that fired: the panel filters on $instance, a label CpuHigh keeps
    url = (f"http://localhost:3000/d/operations/operations?viewPanel=panel-{panel_id('CPU Usage')}"
           "{{ with $labels.instance }}&var-instance={{ . | urlquery }}{{ end }}")
    assert dashboard_url(project, cpu) == url
    assert prometheus.alert_rule(project, cpu)["annotations"]["dashboard_url"] == url
    watchdog = alert_panel(project, project.alerts["Watchdog"])
    assert watchdog is not None and watchdog[1].title == "Alert Rules"  # reads no series: the alert list


def test_the_panel_an_alert_opens_follows_what_it_reads_within_one_project(project: Project) -> None:
    """alert_panel is remembered per project: an alert differing in its panel, its condition or its dashboard is
    answered for itself, not with an earlier alert's panel."""
    cpu = project.alerts["CpuHigh"]
    assert alert_panel(project, cpu) == alert_panel(project, cpu)
    named = alert_panel(project, cpu.model_copy(update={"panel": "Memory Usage"}))
    reading = alert_panel(project, cpu.model_copy(update={"expr": "instance:memory_usage:percent > 95"}))
    elsewhere = alert_panel(project, cpu.model_copy(update={"dashboard": "Nowhere"}))
    assert [target[1].title for target in (named, reading) if target] == ["Memory Usage", "Memory Usage"]
    assert elsewhere is None


def test_every_dashboard_lists_its_alerts(compiled: dict[str, dict[str, Any]]) -> None:
    operations = compiled["grafana/dashboards/Operations/operations.json"]
    rules = next(p for row in operations["panels"] if row["type"] == "row" for p in [row]
                 if row["title"] == "Alerts")
    listed = next(p for p in operations["panels"] if p["title"] == "Alert Rules")["options"]["content"]
    assert rules["gridPos"]["w"] == 24 and "[CpuHigh](/d/operations/operations?viewPanel=panel-" in listed
    overview = compiled["grafana/dashboards/Alerting/alerts-overview.json"]
    content = next(p for p in overview["panels"] if p["title"] == "Alert Rules")["options"]["content"]
    assert all(name in content for name in ("CpuHigh", "RevenueDrop", "Watchdog"))
    assert "Alert Rules" not in str(compiled["grafana/dashboards/Development/development.json"])


def test_an_alert_whose_condition_spans_lines_stays_one_row_of_the_rules_table(
        compiled: dict[str, dict[str, Any]]) -> None:
    overview = compiled["grafana/dashboards/General/slo-overview.json"]
    content = next(p for p in overview["panels"] if p["title"] == "Alert Rules")["options"]["content"]
    assert all(line.startswith("|") and line.endswith("|") for line in content.splitlines())


def _copy(tmp_path: Path) -> Path:
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    return definitions


@pytest.mark.parametrize(("old", "new", "message"), [
    ('dashboard="Executive",\n    summary="Conversion', 'dashboard="Exec",\n    summary="Conversion',
     r"alerts.py:\d+: alert ConversionRateLow: unknown dashboard 'Exec'"),
    ('expr="sum(prometheus_tsdb_head_series)",', 'expr="sum(prometheus_tsdb_head_seriez)",',
     "reads 'prometheus_tsdb_head_seriez', which no Metric or RecordingRule defines"),
    ('expr="sum(prometheus_tsdb_head_series)",',
     'expr="sum(prometheus_tsdb_head_series{job=~\\"$cluster\\"})",', "uses $cluster, which the dashboard"),
])
def test_broken_dashboard_references_stop_the_load_at_their_line(
        tmp_path: Path, old: str, new: str, message: str) -> None:
    definitions = _copy(tmp_path)
    for path in definitions.glob("*.py"):
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new, 1))
            break
    else:
        raise AssertionError(f"{old!r} not found in definitions/")
    with pytest.raises(DefinitionError, match=message.replace("$", r"\$").replace("(", r"\(")):
        load(definitions)


def test_data_sources_have_fixed_uids_and_link_to_each_other(project: Project) -> None:
    files = grafana_provisioning.render(project)
    sources = {s["uid"]: s for s in files["grafana/provisioning/datasources/obsgen.yml"]["datasources"]}
    assert set(sources) == {"prometheus", "alertmanager", "loki", "tempo"}
    assert sources["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"] == "tempo"
    assert sources["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "tempo"
    assert sources["tempo"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert sources["tempo"]["jsonData"]["tracesToMetrics"]["datasourceUid"] == "prometheus"
    provider = files["grafana/provisioning/dashboards/obsgen.yml"]["providers"][0]
    assert provider["options"]["foldersFromFilesStructure"] is True


def _derived_values(fields: list[dict[str, Any]], line: str, labels: dict[str, str]) -> dict[str, str | None]:
    """Grafana 12.4's Loki getDerivedFields for one log: configs grouped by name, the first one's matcher applied,
    a label matcher an unanchored regex tested against each label key (structured metadata included), after
    provisioning's expansion of $$ into $."""
    values: dict[str, str | None] = {}
    for field in fields:
        if field["name"] in values:
            continue
        matcher = field["matcherRegex"].replace("$$", "$")
        if field.get("matcherType") == "label":
            key = next((k for k in labels if re.search(matcher, k)), None)
            values[field["name"]] = labels[key] if key else None
        else:
            match = re.search(matcher, line)
            values[field["name"]] = match[1] if match and match[1] else None
    return values


def test_every_log_line_links_to_its_trace_once(project: Project) -> None:
    sources = grafana_provisioning.render(project)["grafana/provisioning/datasources/obsgen.yml"]["datasources"]
    fields = next(s for s in sources if s["uid"] == "loki")["jsonData"]["derivedFields"]
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    tailed_line = json.dumps({"level": "ERROR", "message": "payment declined", "trace_id": trace})
    # Loki's OTLP ingestion keeps a record's trace id as structured metadata `trace_id`: a tailed line's from the
    # collector's json_parser, whose attributes (its JSON's keys) become metadata too; structured metadata sorts a
    # parent_trace_id (an attribute a service may add) before trace_id
    tailed = {"service_name": "api", "level": "ERROR", "message": "payment declined", "trace_id": trace}
    otlp = {"service_name": "rag-engine", "env": "production", "parent_trace_id": "0" * 32, "trace_id": trace}
    for line, labels in ((tailed_line, tailed), ("search timed out", otlp)):
        assert list(_derived_values(fields, line, labels).values()) == [trace], line  # one "View trace" link
    assert {f["datasourceUid"] for f in fields} == {"tempo"}


def test_log_lines_link_to_traces_whatever_label_exemplars_use(project: Project) -> None:
    """trace_id_label names the exemplar label of the application's metrics (a Go service's is often traceID);
    Loki keeps an OTLP record's trace id as `trace_id` whatever it is, so the log link stays on that."""
    grafana = next(obj for obj in project.objects if isinstance(obj, GrafanaSettings))
    renamed = dataclasses.replace(project, objects=tuple(
        grafana.model_copy(update={"trace_id_label": "traceId"}) if obj is grafana else obj for obj in project.objects))
    sources = grafana_provisioning.render(renamed)["grafana/provisioning/datasources/obsgen.yml"]["datasources"]
    fields = next(s for s in sources if s["uid"] == "loki")["jsonData"]["derivedFields"]
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    otlp = {"service_name": "rag-engine", "trace_id": trace}
    assert list(_derived_values(fields, "search timed out", otlp).values()) == [trace]
    exemplars = next(s for s in sources if s["uid"] == "prometheus")["jsonData"]["exemplarTraceIdDestinations"]
    assert [e["name"] for e in exemplars] == ["traceId", "traceID"]


def test_each_dashboard_has_a_docs_page_with_panels_queries_and_alerts(project: Project) -> None:
    pages = dashboard_docs.render(project)
    assert len(pages) == len(project.all(Dashboard)) + 1 and "docs/dashboards/README.md" in pages
    page = pages["docs/dashboards/operations.md"]
    assert "#### CPU Usage" in page and "instance:cpu_usage:percent" in page
    assert "| CpuHigh | critical | Operations / CPU Usage | [runbook](../runbooks/CpuHigh.md) |" in page


def _first_queries(compiled: dict[str, dict[str, Any]], dashboard: str) -> dict[str, str]:
    """Each panel's first query in the shipped dashboard of this title, by panel title."""
    board = next(document for document in compiled.values() if document["title"] == dashboard)
    panels = [inner for panel in board["panels"] for inner in [panel, *panel.get("panels", [])]]
    return {panel["title"]: panel["targets"][0]["expr"] for panel in panels if panel.get("targets")}


def test_the_alert_counts_count_each_alert_once_and_not_the_heartbeat(compiled: dict[str, dict[str, Any]],
                                                                       tmp_path: Path) -> None:
    """On a night when only Watchdog fires, every count of firing alerts reads 0; an unresolved CpuHigh that has
    climbed two levels of its escalation policy is one critical alert and one escalated alert, not three; an alert
    that tells nobody (JobDown, info) is not in a dashboard's Alerts Firing Now. With no heartbeat either (rules not
    evaluated, another data source), a count of firing alerts reads No data, not 0: `or vector(0)` read 0."""
    overview, meta = _first_queries(compiled, "Alerts Overview"), _first_queries(compiled, "Meta-monitoring")
    executive = _first_queries(compiled, "Executive")
    firing = 'ALERTS{{alertname="{}",alertstate="firing",severity="{}",escalation_level="{}"}}'
    quiet = [{"series": firing.format("Watchdog", "info", ""), "values": "1x30"}]
    cpu = [*quiet, *({"series": firing.format("CpuHigh", "critical", level), "values": "1x30"}
                     for level in ("", "1", "2"))]
    # a job down: JobDown (info) only mutes and tells nobody (alerts56), so "1 firing" would read as someone told
    job_down = [*quiet, {"series": firing.format("JobDown", "info", ""), "values": "1x30"}]
    failing = [*job_down, {"series": firing.format("PrometheusRuleEvaluationFailures", "critical", ""),
                           "values": "1x30"}]
    checks: list[tuple[str, list[dict[str, str]], str, dict[str, str], int | None]] = [
              ("quiet", quiet, overview["Escalated"], {}, 0), ("quiet", quiet, meta["Alerts Firing Now"], {}, 0),
              ("job down", job_down, meta["Alerts Firing Now"], {}, 0),
              ("job down, rules failing", failing, meta["Alerts Firing Now"], {}, 1),
              ("quiet", quiet, overview["Firing by Severity"], {"severity": "info"}, 0),
              ("cpu", cpu, overview["Escalated"], {}, 1),
              ("cpu", cpu, overview["Firing by Severity"], {"severity": "critical"}, 1),
              ("cpu", cpu, overview["Firing by Severity"], {"severity": "info"}, 0),
              ("quiet", quiet, executive["Alerts Firing Now"], {}, 0),
              ("quiet", quiet, executive["Firing Critical Alerts"], {}, 0),
              ("cpu", cpu, executive["Firing Critical Alerts"], {}, 1)]
    unevaluated = [{"series": 'up{job="prometheus"}', "values": "1x30"}]
    checks += [("no rules evaluated", unevaluated, board[title], {}, None)
               for board, title in ((meta, "Alerts Firing Now"), (executive, "Alerts Firing Now"),
                                    (executive, "Firing Critical Alerts"))]
    tests = [{"name": f"{night}: {expr}", "interval": "1m", "input_series": series,
              "promql_expr_test": [{"expr": _only(expr, labels), "eval_time": "10m",
                                    "exp_samples": [] if value is None else [{"labels": _labels(labels),
                                                                              "value": value}]}]}
             for night, series, expr, labels, value in checks]
    result = promtool_test({"tests": tests}, tmp_path / "counts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_alert_that_tells_someone_only_through_its_escalation_is_counted(project: Project) -> None:
    """An info alert (its severity tells nobody) that climbs an escalation policy reaches the policy's channels once
    its first level is due; its escalation copies are never counted (NOT_ESCALATION), so the alert itself must be,
    or Alerts Firing Now reads 0 while someone is being paged for it."""
    meta = next(dashboard for dashboard in project.all(Dashboard) if dashboard.name == "Meta-monitoring")
    job_down = project.alerts["JobDown"]
    assert project.severity_of(job_down).channels == () and project.escalation_of(job_down) is None
    climbing = job_down.model_copy(update={"escalation": "default"})
    climbs = dataclasses.replace(project, objects=tuple(
        climbing if obj is job_down else obj for obj in project.objects))
    assert {a.name: a.counted for a in listed_alerts(project, meta)}["JobDown"] is False  # tells nobody
    assert {a.name: a.counted for a in listed_alerts(climbs, meta)}["JobDown"] is True


def _only(expr: str, labels: dict[str, str]) -> str:
    """The series of expr that have these labels."""
    for name, value in labels.items():
        expr = f'({expr}) and on ({name}) label_replace(vector(1), "{name}", "{value}", "", "")'
    return expr


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{name}="{value}"' for name, value in labels.items()) + "}"


def test_disk_io_counts_each_operation_once_on_a_host_with_lvm(compiled: dict[str, dict[str, Any]],
                                                               tmp_path: Path) -> None:
    """node-exporter reports the disk (sda) and the LVM volume over it (dm-0): an operation on the volume is also
    one on the disk, so the per-host sum of both showed twice the host's I/O."""
    expr = _first_queries(compiled, "Operations")["Disk I/O"]
    expr = expr.replace("$__rate_interval", "5m").replace('"$instance"', '".*"').replace('"$job"', '".*"')
    series = [{"series": f'node_disk_reads_completed_total{{instance="db-1",job="node",device="{device}"}}',
               "values": "0+600x30"} for device in ("sda", "dm-0")]  # 10 reads a second on each
    test = {"name": "one disk under one LVM volume", "interval": "1m", "input_series": series,
            "promql_expr_test": [{"expr": expr, "eval_time": "20m",
                                  "exp_samples": [{"labels": '{instance="db-1"}', "value": 10}]}]}
    result = promtool_test({"tests": [test]}, tmp_path / "disk.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_executive_critical_count_reads_the_project_s_own_heartbeat(tmp_path: Path) -> None:
    """A project whose always-firing heartbeat is not called Watchdog: the Executive dashboard's Firing Critical
    Alerts read 0 beside its heartbeat (as each dashboard's Alerts Firing Now does, heartbeat_names), not No data
    on every quiet night because it waited for a Watchdog that never fires."""
    definitions = _copy(tmp_path)
    meta = definitions / "meta_monitoring.py"
    meta.write_text(meta.read_text() + '\nALERTS = tuple(alert.model_copy(update={"name": "DeadMansSwitch"}) '
                                       "if alert.heartbeat else alert for alert in ALERTS)\n")
    loaded = loader.load(definitions)
    assert loaded.project is not None and heartbeat_names(loaded.project) == ("DeadMansSwitch",)
    executive = _first_queries(grafana.render(loaded.project), "Executive")
    quiet = [{"series": 'ALERTS{alertname="DeadMansSwitch",alertstate="firing",severity="info"}', "values": "1x30"}]
    tests = [{"name": title, "interval": "1m", "input_series": quiet,
              "promql_expr_test": [{"expr": executive[title], "eval_time": "10m", "exp_samples": [{"value": 0}]}]}
             for title in ("Alerts Firing Now", "Firing Critical Alerts")]
    result = promtool_test({"tests": tests}, tmp_path / "counts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
