"""A Grafana link's from, to and var-<name> as the preview reads them: Grafana's URL time forms and date math, the
variables' values escaped as Grafana's Prometheus data source escapes them, and the panel queries run over the
link's range; a bad range is a note on the page, never a traceback."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator.core.gotemplate import render
from generator.core.grafana_interpolation import custom_options, formatted, regular_escape, special_regex_escape
from generator.core.grafana_promql import interpolate
from generator.preview.dashboard_time import Window
from generator.preview.linked import linked
from generator.preview.page import PAGE_WIDTH
from generator.preview.queries import requests_for
from generator.preview.source import DashboardFile, dashboard_file
from generator.preview.timerange import link_range, link_time
from generator.preview.view import Address, address, find_panel, viewed
from tests.conftest import ROOT
from tests.preview_spec import served

NOW = datetime(2026, 1, 7, 13, 45, 30, tzinfo=UTC).timestamp()  # a Wednesday


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("text", "round_up", "expected"), [
    ("now", False, NOW),
    ("now-6h", False, NOW - 6 * 3600),
    ("now+90m", False, NOW + 90 * 60),
    ("now-1d/d", False, _at(2026, 1, 6)),
    ("now-1d/d", True, _at(2026, 1, 7) - 0.001),  # `to` rounds up to the unit's last millisecond
    ("now/d", False, _at(2026, 1, 7)),
    ("now/w", False, _at(2026, 1, 4)),  # a Sunday: moment's `en` week, Grafana's without a weekStart
    ("now-1M/M", False, _at(2025, 12, 1)),
    ("now-y", False, _at(2025, 1, 7, 13, 45, 30)),  # no count is one
    ("now-2h-30m", False, NOW - 9000),
    ("1767225600000", False, _at(2026, 1, 1)),  # epoch milliseconds, as Grafana writes absolute ranges
    ("1767225600000abc", False, _at(2026, 1, 1)),  # parseInt reads the leading number
    ("20260101", False, _at(2026, 1, 1)),
    ("20260101T063000", False, _at(2026, 1, 1, 6, 30)),
    ("2026-01-01 06:30:00", False, _at(2026, 1, 1, 6, 30)),
    ("2026-01-01T06:30:00.000Z", False, _at(2026, 1, 1, 6, 30)),
])
def test_a_link_time_is_read_as_grafana_reads_it(text: str, round_up: bool, expected: float) -> None:
    assert link_time(text, NOW, round_up) == pytest.approx(expected)


@pytest.mark.parametrize(("week_start", "first", "next_first"), [
    (None, 4, 11), ("", 4, 11), ("browser", 4, 11), ("tuesday ", 4, 11),  # the locale's: en, Sunday
    ("sunday", 4, 11), ("monday", 5, 12), ("saturday", 3, 10),  # the three Grafana's week start picker offers
    ("Tuesday", 6, 13),  # any English day name, any case (getWeekdayIndexByEnglishName)
])
def test_now_w_rounds_to_the_week_the_dashboards_week_start_begins(
        week_start: str | None, first: int, next_first: int) -> None:
    document = DOCUMENT if week_start is None else {**DOCUMENT, "weekStart": week_start}
    found = linked(DashboardFile(Path("ops.json"), "Ops", document), Address("ops", "", "now/w", "now/w"), NOW)
    assert found.window is not None
    assert (found.window.start, found.window.end) == pytest.approx(
        (_at(2026, 1, first), _at(2026, 1, next_first) - 0.001), abs=1e-6)


@pytest.mark.parametrize(("start", "end", "why"), [
    ("yesterday", "now", "from='yesterday' is not a time"),
    ("now-1x", "now", "from='now-1x' is not a time"),
    ("xnow", "now", "from='xnow' is not a time"),
    ("now-6h", "now-", "to='now-' is not a time"),
    ("now-99999999999y", "now", "from='now-99999999999y' is not a time"),
    ("9" * 5000, "now", "is not a time"),
    ("now", "now-1h", "to='now-1h' is not after from='now'"),
    ("now-1h", "now-1h", "is not after"),
    ("0", "now", "spans more than 5 years"),
])
def test_a_bad_or_huge_range_is_refused_with_its_reason(start: str, end: str, why: str) -> None:
    with pytest.raises(ValueError, match=re.escape(why)):
        link_range(start, end, NOW)


@pytest.mark.parametrize(("value", "regular", "special"), [
    ("10.0.0.1:9100", "10.0.0.1:9100", r"10\\.0\\.0\\.1:9100"),
    ("a\\b", r"a\\b", r"a\\\\b"),
    ("it's", r"it\\'s", "it's"),
    ("(a|b)*$", "(a|b)*$", r"\\(a\\|b\\)\\*\\$"),
])
def test_values_are_escaped_as_grafanas_prometheus_data_source_escapes_them(
        value: str, regular: str, special: str) -> None:
    assert (regular_escape(value), special_regex_escape(value)) == (regular, special)


def test_one_link_value_of_a_multi_value_variable_is_regex_escaped_and_not_a_list() -> None:
    """interpolateQueryExpr: a multi or includeAll variable's single value gets prometheusSpecialRegexEscape (`'`
    untouched), bare; a plain variable's gets prometheusRegularEscape."""
    value = "a.b\\c'd|e"
    assert formatted({"multi": True}, [value]) == formatted({"includeAll": True}, [value]) == "a\\\\.b\\\\\\\\c'd\\\\|e"
    assert formatted({}, [value]) == "a.b\\\\c\\\\'d|e"


ALL_OF = {"type": "custom", "name": "env", "multi": True, "includeAll": True,
          "query": r"prod.eu, a|b ,Staging : stage'1, x\,y", "current": {"text": ["All"], "value": ["$__all"]}}


@pytest.mark.parametrize(("variable", "expected"), [
    (ALL_OF, r"(prod\\.eu|a\\|b|stage'1|x,y)"),  # every option's value, escaped, as a multi-value list
    ({**ALL_OF, "allValue": "prod.*|a"}, "prod.*|a"),  # a custom all value as it is
    ({**ALL_OF, "query": "prod"}, "prod"),  # one option: bare
    ({**ALL_OF, "query": ""}, "()"),  # no option
    ({**ALL_OF, "valuesFormat": "json", "query": '[{"value": "a.b", "text": "A"}, {"value": 2}]'}, r"(a\\.b|2)"),
    ({**ALL_OF, "valuesFormat": "json", "query": '["x ", "y"]'}, "(x|y)"),
    ({**ALL_OF, "type": "query", "query": "label_values(up, job)"}, ".*"),  # options only Prometheus knows
])
def test_all_is_the_custom_all_value_or_every_option_escaped(variable: dict[str, Any], expected: str) -> None:
    document = {**DOCUMENT, "templating": {"list": [variable]}, "panels": [
        {**DOCUMENT["panels"][0], "targets": [{"refId": "A", "expr": 'up{env=~"$env"}'}]}]}
    dashboard = DashboardFile(Path("ops.json"), "Ops", document)
    for link in ("", "&var-env=All", "&var-env=$__all"):  # the dashboard's own All, and All from a link
        found = linked(dashboard, address("/d/ops?viewPanel=1" + link) or Address(""), NOW)
        [asked] = requests_for(document, document["panels"][0], found.variables, NOW, PAGE_WIDTH, 15.0)
        assert asked.expr == f'up{{env=~"{expected}"}}', link


def test_a_custom_variables_options_are_read_as_grafana_splits_its_query() -> None:
    assert custom_options({"query": r" a , b\,c,k : v : w,,d"}) == ["a", "b,c", "w", "d"]


def test_an_address_asks_for_itself_again() -> None:
    asked = Address("ops", "panel-7", "now-1h", "1767225600000", (("instance", ("a&b", "c d")), ("job", ("x",))))
    assert address("/d/ops/any" + asked.query()) == asked


def _variable(name: str, **options: Any) -> dict[str, Any]:
    return {"type": "query", "name": name, "current": {"text": ["All"], "value": ["$__all"]}, **options}


DOCUMENT: dict[str, Any] = {
    "uid": "ops", "title": "Ops", "time": {"from": "now-1h", "to": "now"},
    "templating": {"list": [
        _variable("instance", multi=True, includeAll=True, allValue=".*"),
        _variable("job", multi=True, includeAll=True),
        _variable("mode", type="custom", query="sys,user", multi=False, includeAll=False,
                  current={"text": "user", "value": "user"}),
        {"type": "constant", "name": "cluster", "query": "eu", "current": {"text": "eu", "value": "eu"}},
    ]},
    "panels": [{"type": "timeseries", "id": 1, "title": "CPU", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "targets": [{"refId": "A", "expr": 'cpu{instance=~"$instance",job=~"$job",mode="$mode",'
                                                   'cluster="$cluster"}'}]}]}
DASHBOARD = DashboardFile(Path("ops.json"), "Ops", DOCUMENT)


@pytest.mark.parametrize(("link", "expected"), [
    ("", 'cpu{instance=~".*",job=~".*",mode="user",cluster="eu"}'),
    ("&var-instance=10.0.0.1:9100", r'cpu{instance=~"10\\.0\\.0\\.1:9100",job=~".*",mode="user",cluster="eu"}'),
    ("&var-instance=a&var-instance=b.c&var-job=All&var-mode=sys&var-cluster=us&var-nope=1",
     r'cpu{instance=~"(a|b\\.c)",job=~".*",mode="sys",cluster="eu"}'),
    ("&var-instance=All&var-instance=a", 'cpu{instance=~".*",job=~".*",mode="user",cluster="eu"}'),  # legacy All
    ("&var-instance=$__all&var-instance=a", 'cpu{instance=~"a",job=~".*",mode="user",cluster="eu"}'),
    ("&var-instance=a&var-instance=$__all", 'cpu{instance=~".*",job=~".*",mode="user",cluster="eu"}'),
])
def test_a_links_values_override_the_defaults_and_unknown_names_are_ignored(link: str, expected: str) -> None:
    found = linked(DASHBOARD, address("/d/ops?viewPanel=1" + link) or Address(""), NOW)
    asked = requests_for(found.dashboard.document, DOCUMENT["panels"][0], found.variables, NOW, PAGE_WIDTH, 15.0)
    assert [request.expr for request in asked] == [expected]


def test_the_variables_bar_shows_the_links_values() -> None:
    found = linked(DASHBOARD, address("/d/ops?var-instance=a&var-instance=b&var-mode=sys") or Address(""), NOW)
    variables = {v["name"]: v["current"] for v in found.dashboard.document["templating"]["list"]}
    assert variables["instance"] == {"text": ["a", "b"], "value": ["a", "b"]}
    assert variables["mode"] == {"text": "sys", "value": "sys"}


def test_the_queries_run_over_the_links_range_with_a_bounded_step() -> None:
    found = linked(DASHBOARD, Address("ops", time_from="1767225600000", time_to="1767229200000"), NOW)
    assert found.window == Window(_at(2026, 1, 1), _at(2026, 1, 1, 1), relative=False)
    assert found.range_text == "2026-01-01 00:00:00 to 2026-01-01 01:00:00" and found.note == ""
    [asked] = requests_for(DOCUMENT, DOCUMENT["panels"][0], found.variables, NOW, PAGE_WIDTH, 15.0, found.window)
    assert (asked.start, asked.end, asked.step) == (_at(2026, 1, 1), _at(2026, 1, 1, 1), 15.0)
    longest = linked(DASHBOARD, Address("ops", time_from="now-5y"), NOW)
    [asked] = requests_for(DOCUMENT, DOCUMENT["panels"][0], {}, NOW, PAGE_WIDTH, 15.0, longest.window)
    assert (asked.end - asked.start) / asked.step <= PAGE_WIDTH  # one point a pixel, however long the range
    assert linked(DASHBOARD, Address("ops", time_from="now-3h"), NOW).range_text == "Last 3 hours"


def test_a_panel_with_its_own_relative_time_keeps_it_over_a_relative_range_only() -> None:
    """PanelTimeRange.getTimeOverride evaluates timeFrom only when the parent range is relative."""
    panel = {**DOCUMENT["panels"][0], "timeFrom": "5m"}
    relative = linked(DASHBOARD, Address("ops", time_from="now-3h"), NOW).window
    [asked] = requests_for(DOCUMENT, panel, {}, NOW, PAGE_WIDTH, 15.0, relative)
    assert (asked.start, asked.end) == (NOW - 300, NOW)
    absolute = Window(_at(2026, 1, 1), _at(2026, 1, 1, 1), relative=False)
    [asked] = requests_for(DOCUMENT, panel, {}, NOW, PAGE_WIDTH, 15.0, absolute)
    assert (asked.start, asked.end) == (_at(2026, 1, 1), _at(2026, 1, 1, 1))


def _page(target: str) -> tuple[int, dict[str, Any]]:
    text = {"type": "text", "id": 1, "title": "Words", "options": {"content": "w"},
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 4}}
    return served({**DOCUMENT, "panels": [text]}, "http://127.0.0.1:9", target, 15.0)  # no Prometheus asked


@pytest.mark.parametrize("query", ["from=yesterday", "from=now&to=now-1h", "from=0&to=now", "to=now-"])
def test_a_bad_range_in_a_link_is_a_note_on_the_page_at_the_dashboards_own_range(query: str) -> None:
    status, spec = _page(f"/d/ops/ops?viewPanel=panel-1&{query}")
    assert status == 200 and spec["view"] == "Words"
    assert spec["note"].startswith("Time range not applied: ") and spec["rangeText"] == "Last 1 hour"


def test_a_served_page_names_the_links_range_and_values_and_pushes_with_them() -> None:
    status, spec = _page("/d/ops/ops?viewPanel=panel-1&from=1767225600000&to=1767229200000&var-instance=a")
    assert status == 200 and spec["note"] == ""
    assert spec["rangeText"] == "2026-01-01 00:00:00 to 2026-01-01 01:00:00"
    assert {v["label"]: v["value"] for v in spec["variables"]}["instance"] == "a"
    assert spec["live"]["path"].startswith(
        "/ws/ops?viewPanel=panel-1&from=1767225600000&to=1767229200000&var-instance=a&obsgenPage=")


@pytest.mark.parametrize(("own", "asked", "window", "text"), [
    ({"from": "now-6h", "to": "tomorrow"}, Address("ops", time_from="now-1h"), (NOW - 3600, NOW), "Last 1 hour"),
    ({"from": "yesterday", "to": "now"}, Address("ops", time_to="now-1h"), (NOW - 6 * 3600, NOW - 3600),
     "now-6h to now-1h"),
])
def test_a_link_giving_one_end_takes_the_other_as_the_dashboard_keeps_it(
        own: dict[str, str], asked: Address, window: tuple[float, float], text: str) -> None:
    """SceneTimeRange.updateFromUrl: an end the link leaves out is the dashboard's state, whose end Grafana could
    not read is already its default (now-6h, now): the link's range applies, as without a link the page draws."""
    found = linked(DashboardFile(Path("ops.json"), "Ops", {**DOCUMENT, "time": own}), asked, NOW)
    assert found.note == "" and found.window == Window(*window) and found.range_text == text


def test_a_relative_link_range_steps_as_the_dashboards_own_range_does() -> None:
    now = 1767225600.123456  # a served page's now, with its fraction
    found = linked(DASHBOARD, Address("ops", time_from="now-6h", time_to="now"), now)
    [linked_request] = requests_for(DOCUMENT, DOCUMENT["panels"][0], {}, now, PAGE_WIDTH, 1.0, found.window)
    own = {**DOCUMENT, "time": {"from": "now-6h", "to": "now"}}
    [own_request] = requests_for(own, DOCUMENT["panels"][0], {}, now, PAGE_WIDTH, 1.0)
    assert linked_request.step == own_request.step == 15.0  # 6 h over 1440 px


def test_obsgens_own_notification_link_opens_its_panel_on_the_alerts_instance() -> None:
    """CpuHigh's dashboard_url as out/ ships it, filled in as Prometheus fills it for one instance."""
    rules = yaml.safe_load((ROOT / "out" / "prometheus" / "rules" / "alerts.yml").read_text())
    [template] = [rule["annotations"]["dashboard_url"] for group in rules["groups"] for rule in group["rules"]
                  if rule.get("alert") == "CpuHigh"]
    link = urlsplit(render(template, {"instance": "10.0.0.7:9100"}, 95.0))
    asked = address(f"{link.path}?{link.query}")
    assert asked is not None and asked.variables == (("instance", ("10.0.0.7:9100",)),)
    root = ROOT / "out" / "grafana" / "dashboards"
    dashboard = dashboard_file(root / "Operations" / f"{asked.uid}.json", root)
    panel = find_panel(dashboard.document, asked.view_panel)
    assert panel is not None
    found = linked(viewed(dashboard, panel), asked, NOW)
    [request] = requests_for(found.dashboard.document, found.dashboard.document["panels"][0], found.variables, NOW,
                             PAGE_WIDTH, 15.0, found.window)
    assert r'{instance=~"10\\.0\\.0\\.7:9100"}' in request.expr, request.expr


LABELLED = {"type": "custom", "name": "env", "query": "Production : prod,Staging : stage", "multi": False,
            "includeAll": False, "current": {"text": "Staging", "value": "stage"}}


@pytest.mark.parametrize(("variable", "link", "current", "query"), [
    (LABELLED, "var-env=prod", {"text": "Production", "value": "prod"}, 'up{env="prod",shown="Production"}'),
    (LABELLED, "var-env=Production", {"text": "Production", "value": "prod"}, 'up{env="prod",shown="Production"}'),
    (LABELLED, "var-env=qa", {"text": "qa", "value": "qa"}, 'up{env="qa",shown="qa"}'),
    ({**LABELLED, "multi": True}, "var-env=prod&var-env=stage",
     {"text": ["Production", "Staging"], "value": ["prod", "stage"]},
     'up{env="(prod|stage)",shown="Production + Staging"}'),
    ({**LABELLED, "multi": True}, "var-env=prod&var-env=qa", {"text": ["prod", "qa"], "value": ["prod", "qa"]},
     'up{env="(prod|qa)",shown="prod + qa"}')])
def test_a_links_value_of_a_labelled_custom_option_shows_its_text(variable: dict[str, Any], link: str,
                                                                 current: dict[str, Any], query: str) -> None:
    """scenes' URL sync writes var-env=<value> and reads it back with changeValueTo -> findLabelTextForValue: the
    option's text (`Production : prod` shows Production); an option's text given as the value is that option
    (findOptionMatchingCurrent); a value no option has is kept as its own text (skipNextValidation), and so are a
    multi-value link's other values then (interceptStateUpdateAfterValidation keeps the link's values and texts,
    which changeValueTo read before the variable had options)."""
    document = {**DOCUMENT, "templating": {"list": [variable]}}
    found = linked(DashboardFile(Path("ops.json"), "Ops", document), address(f"/d/ops?{link}") or Address(""), NOW)
    assert found.dashboard.document["templating"]["list"][0]["current"] == current
    assert interpolate('up{env="$env",shown="${env:text}"}', found.variables) == query
