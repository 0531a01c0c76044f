"""The shipped dashboards drawn in a real headless Chromium: clean console, Grafana's grid, values an operator reads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image, ImageChops

from generator.checks.lint.dashboard_json import panels
from generator.preview.browser import Chromium, Tab
from generator.preview.page import PAGE_WIDTH
from generator.preview.render import Rendered, render
from generator.preview.source import dashboards
from tests.conftest import DEMO_NOW, PICTURE_NOW
from tests.preview.conftest import write_dashboard

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDENS = os.environ.get("OBSGEN_UPDATE_GOLDENS") == "1"
GOLDEN_SCALE = 2
"""Goldens are kept at half size: small in git, and blind to anti-aliasing noise a font update brings."""
CHANGED_PIXELS = 0.01
"""Share of (half-size) pixels that may differ by more than PIXEL_NOISE before a picture counts as changed."""
PIXEL_NOISE = 48


def _grid_box(grid_pos: dict[str, int], width: float) -> tuple[float, float, float, float]:
    """(left, top, width, height) of a grid position as react-grid-layout places it in Grafana (24 columns,
    30 px rows, 8 px margins)."""
    column = (width - 8 * 23) / 24
    return ((column + 8) * grid_pos["x"], 38 * grid_pos["y"], column * grid_pos["w"] + 8 * (grid_pos["w"] - 1),
            30 * grid_pos["h"] + 8 * (grid_pos["h"] - 1))


def test_every_shipped_dashboard_draws_with_no_console_error(rendered: list[Rendered]) -> None:
    assert len(rendered) == len(dashboards(Path("out/grafana")))
    for done in rendered:
        assert done.console_errors == (), done.dashboard.title
        assert done.size[0] >= 800 and done.size[1] >= 400, done.size
        assert done.html.read_text().count("<script") == 3  # the data, uPlot, the drawing code: nothing fetched


@pytest.fixture(scope="module")
def shown(rendered: list[Rendered], browser: Chromium) -> dict[str, Tab]:
    """Each shipped dashboard's page loaded once, in a tab of its own, by uid: the tests below only read them."""
    tabs = {}
    for done in rendered:
        tabs[done.dashboard.uid] = browser.tab()
        tabs[done.dashboard.uid].load(done.html.as_uri(), PAGE_WIDTH)
    return tabs


def test_panels_sit_where_grafana_places_them_on_the_grid(rendered: list[Rendered], shown: dict[str, Tab]) -> None:
    for done in rendered:
        tab = shown[done.dashboard.uid]
        grid_width, boxes = tab.evaluate(
            "(() => { const grid = document.querySelector('.grid').getBoundingClientRect();"
            " return [grid.width, [...document.querySelectorAll('.panel')].map((p) => {"
            " const r = p.getBoundingClientRect();"
            " return [Number(p.dataset.panelId), r.left - grid.left, r.top - grid.top, r.width, r.height]; })]; })()")
        expected = {p["id"]: _grid_box(p["gridPos"], grid_width) for p in done.dashboard.document["panels"]
                    if p["type"] != "row"}
        assert len(boxes) == len(expected), done.dashboard.title
        for panel_id, *box in boxes:
            assert all(abs(a - b) <= 2 for a, b in zip(box, expected[panel_id], strict=True)), \
                f"{done.dashboard.title} panel {panel_id}: at {box}, Grafana places it at {expected[panel_id]}"


def _instant(url: str, expr: str) -> float:
    result = requests.post(f"{url}/api/v1/query", data={"query": expr, "time": str(PICTURE_NOW)}, timeout=10).json()
    return float(result["data"]["result"][0]["value"][1])


def test_a_gauge_shows_the_value_prometheus_holds_in_its_threshold_colour(
        rendered: list[Rendered], shown: dict[str, Tab], demo_prometheus: str) -> None:
    executive = next(done for done in rendered if done.dashboard.uid == "executive")
    panel = next(p for p in executive.dashboard.document["panels"] if p["title"] == "Conversion Rate")
    value = _instant(demo_prometheus, panel["targets"][0]["expr"])
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    colour = [s["color"] for s in steps if s["value"] is None or value >= s["value"]][-1]
    text, fill = shown["executive"].evaluate(f"(() => {{ const t = document.querySelector("
                                             f"'[data-panel-id=\"{panel['id']}\"] svg text');"
                                             " return [t.textContent, t.getAttribute('fill')]; })()")
    assert text == f"{value * 100:.1f}%"
    assert fill == {"green": "#73BF69", "orange": "#FF9830", "red": "#F2495C"}[colour]


def _no_data_dashboard() -> dict[str, Any]:
    target = {"refId": "A", "expr": "series_nobody_exports_total", "instant": True}
    return {"uid": "empty", "title": "Empty", "time": {"from": "now-1h", "to": "now"}, "panels": [
        {"type": "stat", "id": 1, "title": "Nothing", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}, "targets": [target]},
        {"type": "timeseries", "id": 2, "title": "Still nothing", "gridPos": {"x": 6, "y": 0, "w": 12, "h": 8},
         "targets": [{**target, "instant": False}]}]}


def _units_dashboard() -> dict[str, Any]:
    def stat(number: int, value: float, unit: str) -> dict[str, Any]:
        return {"type": "stat", "id": number, "title": unit, "gridPos": {"x": 6 * number, "y": 0, "w": 6, "h": 4},
                "fieldConfig": {"defaults": {"unit": unit}},
                "targets": [{"refId": "A", "expr": f"vector({value})", "instant": True}]}
    return {"uid": "units", "title": "Units", "time": {"from": "now-1h", "to": "now"},
            "panels": [stat(0, 40_000_000, "s"), stat(1, 2, "ops")]}


def test_a_stat_prints_its_unit_as_grafana_does(own: dict[str, Rendered], browser: Chromium) -> None:
    """valueFormats' toSeconds prints a year past 365 days (a time to exhaustion), not 66 weeks; `ops` is per
    second (simpleCountUnit("ops/s"))."""
    tab = browser.tab()
    tab.load(own["units"].html.as_uri(), PAGE_WIDTH)
    assert tab.evaluate("[...document.querySelectorAll('.panel .body')].map((b) => b.innerText)") == \
        ["1.27 year", "2 ops/s"]


def test_a_panel_without_data_says_no_data(own: dict[str, Rendered], browser: Chromium) -> None:
    done = own["empty"]
    assert done.console_errors == ()
    tab = browser.tab()
    tab.load(done.html.as_uri(), PAGE_WIDTH)
    assert tab.evaluate("[...document.querySelectorAll('.panel .body')].map((b) => b.innerText)") == \
        ["No data", "No data"]


def _half(path: Path) -> Image.Image:
    with Image.open(path) as image:
        picture = image.convert("RGB")
    return picture.resize((picture.width // GOLDEN_SCALE, picture.height // GOLDEN_SCALE), Image.Resampling.BOX)


@pytest.mark.parametrize("uid", sorted(d.uid for d in dashboards(Path(__file__).parents[2] / "out" / "grafana")))
def test_each_shipped_dashboard_looks_like_its_golden_picture(uid: str, rendered: list[Rendered],
                                                               tmp_path: Path) -> None:
    done = next(d for d in rendered if d.dashboard.uid == uid)
    golden = GOLDEN / f"{uid}.png"
    picture = _half(done.png)
    if UPDATE_GOLDENS or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        picture.save(golden, optimize=True)
        pytest.skip(f"wrote {golden}") if UPDATE_GOLDENS else pytest.fail(f"no golden picture: wrote {golden}")
    with Image.open(golden) as stored:
        expected = stored.convert("RGB")
    update = "if the change is intended: OBSGEN_UPDATE_GOLDENS=1 .venv/bin/pytest tests/preview -k golden"
    assert picture.size == expected.size, f"{uid}: page is {picture.size}, golden {expected.size}; {update}"
    difference = ImageChops.difference(picture, expected).convert("L").point(lambda v: 255 if v > PIXEL_NOISE else 0)
    changed = difference.histogram()[255] / (picture.width * picture.height)
    if changed > CHANGED_PIXELS:
        picture.save(tmp_path / f"{uid}.png")
        difference.save(tmp_path / f"{uid}-difference.png")
    assert changed <= CHANGED_PIXELS, f"{uid}: {changed:.1%} of pixels changed (see {tmp_path}); {update}"


def _value_axis_labels(tab: Tab) -> list[tuple[str, list[str]]]:
    """(panel title, tick labels of its value axis) of every chart the tab draws with one."""
    labels: list[tuple[str, list[str]]] = tab.evaluate(
        "window.previewCharts.filter((c) => c.axes[1] && c.axes[1].show !== false)"
        ".map((c) => [c.root.closest('.panel').querySelector('h2').innerText,"
        " (c.axes[1]._values || []).filter((v) => v != null)])")
    return labels


def test_no_value_axis_of_a_shipped_chart_repeats_a_tick_label(rendered: list[Rendered],
                                                              shown: dict[str, Tab]) -> None:
    """Ticks take their decimals from the step between them, as Grafana's axes do: a p95 moving within 1 ms of 130 ms
    reads 129.8, 130, 130.2 ms, not 130 ms five times."""
    repeated: dict[tuple[str, str], list[Any]] = {}
    for done in rendered:
        labels = _value_axis_labels(shown[done.dashboard.uid])
        repeated |= {(done.dashboard.uid, title): ticks for title, ticks in labels if len(set(ticks)) < len(ticks)}
    assert repeated == {}


PER_SECOND = {"ops": " ops/s", "reqps": " req/s", "iops": " io/s", "cps": " c/s"}
"""What Grafana prints after a throughput unit's value (valueFormats/categories.ts: simpleCountUnit("ops/s"), ...)."""


def test_a_rate_axis_prints_its_unit_as_grafana_does(rendered: list[Rendered], shown: dict[str, Tab]) -> None:
    """Notifications by Integration in `ops` reads 2 ops/s in Grafana; the preview printed "2 ops", a count."""
    wrong: dict[tuple[str, str], list[Any]] = {}
    for done in rendered:
        units = {panel.get("title"): ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
                 for panel in panels(done.dashboard.document)}
        labels = _value_axis_labels(shown[done.dashboard.uid])
        for title, ticks in labels:
            suffix = PER_SECOND.get(units.get(title) or "")
            if suffix and (not ticks or not all(tick.endswith(suffix) for tick in ticks)):
                wrong[(done.dashboard.uid, title)] = ticks
    assert wrong == {}


def test_a_soft_axis_maximum_keeps_a_threshold_line_in_view(rendered: list[Rendered], shown: dict[str, Tab]) -> None:
    """Grafana's axisSoftMax: the value axis reaches at least it, whatever the series. Error Log Lines draws
    ApiErrorLogsHigh's line at 0.167 c/s over series near 0.05 c/s; scaled to the series alone, its axis stopped
    under the line, which was not drawn."""
    checked = 0
    for done in rendered:
        soft = {panel.get("title"): ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("custom", {})
                .get("axisSoftMax") for panel in panels(done.dashboard.document)}
        tops = shown[done.dashboard.uid].evaluate(
            "window.previewCharts.filter((c) => c.scales.y).map((c) =>"
            " [c.root.closest('.panel').querySelector('h2').innerText, c.scales.y.max])")
        for title, top in tops:
            if soft.get(title) is not None:
                assert top >= soft[title], (done.dashboard.uid, title, top, soft[title])
                checked += 1
    assert checked >= 2


LONG_NAME = "checkout-payment-gateway eu-west-1 primary replica behind the regional load balancer"


def _long_name_dashboard() -> dict[str, Any]:
    target = {"refId": "A", "expr": f'label_replace(vector(1), "name", "{LONG_NAME}", "", "")',
              "legendFormat": "{{name}}"}
    return {"uid": "long-names", "title": "Long names", "time": {"from": "now-1h", "to": "now"}, "panels": [
        {"type": "state-timeline", "id": 1, "title": "States", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 6},
         "targets": [target]}]}


def test_a_state_timeline_shows_a_long_row_name_whole_as_grafana_sizes_its_axis(
        own: dict[str, Rendered], browser: Chromium) -> None:
    """Grafana's state timeline sizes its row axis to the longest name, whole (no width cap: grafana#104174 asks
    for one); the preview capped it at 40% of the panel and cut a longer name at its start."""
    done = own["long-names"]
    assert done.console_errors == ()
    tab = browser.tab()
    tab.load(done.html.as_uri(), PAGE_WIDTH)
    # the row name as drawn, its width in the axis' font, and the room the axis gives it
    [(row, width, room)] = tab.evaluate(
        "window.previewCharts.map((c) => { const ctx = document.createElement('canvas').getContext('2d');"
        " ctx.font = c.axes[1].font[0]; const v = c.axes[1]._values.filter((x) => x)[0];"
        " return [v, ctx.measureText(v).width, c.axes[1]._size - 12]; })")
    assert row == LONG_NAME
    assert width <= room, (width, room)


def _bars_dashboard() -> dict[str, Any]:
    def bars(number: int, **target: Any) -> dict[str, Any]:
        return {"type": "barchart", "id": number, "title": f"bars {number}", "options": {"orientation": "horizontal"},
                "gridPos": {"x": 12 * number, "y": 0, "w": 12, "h": 8},
                "targets": [{"refId": "A", "expr": 'label_replace(vector(3), "shop", "orders", "", "")',
                             "legendFormat": "{{shop}}", **target}]}
    return {"uid": "bars", "title": "Bars", "time": {"from": "now-1h", "to": "now"},
            "panels": [bars(0), bars(1, instant=True, format="table")]}


def test_a_bar_chart_of_a_range_query_bars_each_timestamp_as_grafana_does(
        own: dict[str, Rendered], browser: Chromium) -> None:
    """Grafana's barchart bars a joined frame by its first string field, else its time field (barchart/utils.ts
    prepareBarChartDisplayValues): a time_series answer has no string field, so each step is a bar, the legend the
    series' name (newuser52 P3: drawn as one bar named by the legend, the legend saying "Value"). A table answer
    bars per series, as before."""
    done = own["bars"]
    assert done.console_errors == ()
    tab = browser.tab()
    tab.load(done.html.as_uri(), PAGE_WIDTH)
    [by_time, by_series] = tab.evaluate(
        "[...document.querySelectorAll('.panel .body')].map((b) => [b.querySelectorAll('svg.bars rect').length,"
        " [...b.querySelectorAll('.legend .item')].map((i) => i.innerText)])")
    assert by_time[0] > 100 and by_time[1] == ["orders"]  # 1 h at the panel's step: a bar each
    assert by_series == [1, ["Value"]]


@pytest.fixture(scope="module")
def own(demo_prometheus: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """The tests' own dashboards (panels without data; a long row name), drawn by one render (one browser started,
    as obsgen preview draws a folder of them), by uid."""
    grafana = tmp_path_factory.mktemp("own") / "grafana"
    write_dashboard(grafana, _no_data_dashboard())
    write_dashboard(grafana, _long_name_dashboard())
    write_dashboard(grafana, _units_dashboard())
    write_dashboard(grafana, _bars_dashboard())
    return {done.dashboard.uid: done for done in render(dashboards(grafana), demo_prometheus, grafana.parent / "out",
                                                        DEMO_NOW, 15.0)}


def test_a_panels_own_time_shows_in_its_header_as_grafana_writes_it(shown: dict[str, Tab]) -> None:
    """PanelTimeRange's title item: describeTextRange's text for timeFrom (executive's Revenue Trend: 24h; the SLO
    overview's budgets: 30d); a panel without one (Revenue Today, the database's own day) shows none."""
    script = ("Object.fromEntries([...document.querySelectorAll('.panel')].filter((p) => p.querySelector('.time-info'))"
              ".map((p) => [p.querySelector('h2').textContent, p.querySelector('.time-info').textContent]))")
    assert shown["executive"].evaluate(script) == {"Revenue Trend": "Last 24 hours"}
    budgets = shown["slo-overview"].evaluate(script)
    assert len(budgets) == 5 and set(budgets.values()) == {"Last 30 days"}
