"""Preview without a browser: requests as Grafana builds them, series shaping, and the page's untrusted input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.preview.frames import Answer, panel_data, series_name
from generator.preview.page import html, script_json, spec
from generator.preview.queries import Request, requests_for
from generator.preview.source import DashboardFile, PreviewError, dashboards, scrape_interval
from tests.preview.conftest import write_dashboard

DOCUMENT = {"uid": "d", "title": "D", "time": {"from": "now-24h", "to": "now"}, "templating": {"list": [
    {"type": "query", "name": "job", "allValue": ".+", "current": {"value": ["$__all"]}},
    {"type": "custom", "name": "env", "query": "dev,prod", "current": {"value": "prod", "text": "prod"}}]}}


def _request(**fields: object) -> Request:
    values: dict[str, object] = {"ref_id": "A", "expr": "x", "instant": False, "start": 0.0, "end": 60.0,
                                 "step": 30.0, "legend": "", "format": "time_series"}
    return Request(**{**values, **fields})  # type: ignore[arg-type]


def test_a_panel_asks_one_point_per_pixel_over_its_own_range_with_variables_at_their_defaults() -> None:
    panel = {"gridPos": {"w": 12}, "timeFrom": "1h", "targets": [
        {"refId": "A", "expr": 'rate(x{job=~"$job",env="$env"}[$__rate_interval])'},
        {"refId": "B", "expr": "x", "instant": True}, {"refId": "C", "expr": "y", "hide": True}]}
    dashboard = DashboardFile(Path("d.json"), "General", {**DOCUMENT, "panels": [panel]})
    first, second = requests_for(dashboard.document, panel, dashboard.variable_defaults(), 10_000.0, 1440, 15.0)
    assert (first.start, first.end, first.step) == (10_000.0 - 3600, 10_000.0, 15.0)  # 720 px: 5 s, floored to 15 s
    assert first.expr == 'rate(x{job=~".+",env="prod"}[1m])' and not first.instant
    assert second.instant and second.ref_id == "B"


def test_a_query_naming_a_variable_the_dashboard_lacks_is_sent_with_it_as_written() -> None:
    """scenes' sceneInterpolator leaves a variable it does not find as written, and the Prometheus data source sends
    the query so (applyTemplateVariables): Prometheus' answer, here no series with a="$missing", is the panel's."""
    panel = {"gridPos": {"w": 24}, "targets": [{"refId": "A", "expr": "x{a=\"$missing\",b=\"$env\"}"}]}
    [request] = requests_for(DOCUMENT, panel, {"env": "prod"}, 0.0, 1440, 15.0)
    assert request.expr == 'x{a="$missing",b="prod"}'


def test_a_query_gets_its_panels_range_as_from_and_to_in_epoch_milliseconds() -> None:
    """scenes' TimeFromAndToMacro: `$__from` and `$__to` are the panel's range's ends in milliseconds (its own
    timeFrom applied), which the date format writes as dates; the old preview refused them as unknown variables."""
    panel = {"gridPos": {"w": 24}, "timeFrom": "1h", "targets": [
        {"refId": "A", "expr": 'x{a="$__from",b="${__to:date:seconds}",c="${__to:date:YYYY-MM-DD HH:mm}"}'}]}
    [request] = requests_for(DOCUMENT, panel, {}, 1_767_225_600.0, 1440, 15.0)
    assert request.expr == 'x{a="1767222000000",b="1767225600",c="2026-01-01 00:00"}'


def test_series_are_named_by_their_legend_format_or_their_labels() -> None:
    assert series_name("{{service}} p95", {"service": "api"}, "e") == "api p95"
    assert series_name("__auto", {"__name__": "up", "job": "a"}, "e") == 'up{job="a"}'
    assert series_name("", {}, "sum(x)") == "sum(x)"


def test_series_share_one_time_axis_with_gaps_where_a_series_has_no_sample() -> None:
    answers = [Answer(_request(legend="{{s}}"), result=[
        {"metric": {"s": "a"}, "values": [[0, "1"], [30, "NaN"], [60, "3"]]},
        {"metric": {"s": "b"}, "values": [[30, "2"]]}])]
    data = panel_data(answers)
    assert data["time"] == [0.0, 30.0, 60.0]
    assert [s["values"] for s in data["series"]] == [[1.0, None, 3.0], [None, 2.0, None]]


def test_the_time_axis_spans_the_whole_range_asked_even_where_nothing_answered() -> None:
    data = panel_data([Answer(_request(end=120.0), result=[{"metric": {}, "values": [[60, "1"]]}])])
    assert data["time"] == [0.0, 30.0, 60.0, 90.0, 120.0] and data["series"][0]["values"] == [None, None, 1.0, None,
                                                                                              None]
    assert panel_data([Answer(_request(instant=True), result=[{"metric": {}, "value": [60, "1"]}])])["time"] == [60.0]


def test_heatmap_buckets_are_counted_per_bucket_lowest_first() -> None:
    result = [{"metric": {"le": le}, "values": [[0, count]]} for le, count in (("+Inf", "10"), ("0.1", "4"),
                                                                                ("1", "9"))]
    data = panel_data([Answer(_request(format="heatmap", legend="{{le}}", end=0.0), result=result)])
    assert [(s["name"], s["values"]) for s in data["series"]] == [("0.1", [4.0]), ("1", [5.0]), ("+Inf", [1.0])]


def test_a_rejected_query_is_reported_on_its_panel() -> None:
    assert panel_data([Answer(_request(), error="parse error")])["errors"] == ["A: parse error"]


def test_nothing_read_from_a_dashboard_can_close_the_data_script() -> None:
    text = script_json({"title": "</script><script>alert(1)</script>"})
    assert "<" not in text and json.loads(text)["title"].startswith("</script>")


def test_text_panels_keep_raw_html_as_text_and_drop_script_links() -> None:
    panel = {"type": "text", "id": 1, "gridPos": {}, "options": {
        "content": "<img src=x onerror=alert(1)> [open](javascript:alert(1)) | a |\n|---|\n| `b` |"}}
    dashboard = DashboardFile(Path("d.json"), "General", {**DOCUMENT, "panels": [panel]})
    shown = spec(dashboard, {})["panels"][0]["html"]
    assert "<img" not in shown and "&lt;img" in shown and 'href="javascript' not in shown
    assert html(dashboard, {}).count("<script") == 3  # the data, uPlot and the drawing code, nothing more


def test_dashboards_take_their_folder_from_the_directory_and_a_broken_file_is_one_error(tmp_path: Path) -> None:
    write_dashboard(tmp_path, {"uid": "a", "title": "A", "panels": []}, folder="Business")
    [found] = dashboards(tmp_path)
    assert (found.folder, found.uid, scrape_interval(tmp_path)) == ("Business", "a", 15.0)
    (tmp_path / "dashboards" / "Business" / "b.json").write_text("{not json")
    with pytest.raises(PreviewError, match=r"b\.json:1: not a readable dashboard: not JSON"):
        dashboards(tmp_path)
