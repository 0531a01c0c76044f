"""`obsgen import` keeps a dashboard's panels where it placed them: two short panels stacked beside a tall one, a gap
left in a line, panels in a collapsed row, which obsgen's own layout (by size, in reading order) would move; one
Grafana shows the same either way is left to obsgen's layout (no gridPos in the module): Grafana's grid floats
panels up as far as they go, so positions written lower (kube-prometheus' dashboards) show where obsgen puts them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.build import build
from generator.derive.layout import Box
from generator.importer.write import import_files
from generator.interop.grafana_layout import _shown
from tests.importer.conftest import base_definitions
from tests.linear_time import LINEAR, growth


def _panel(title: str, x: int, y: int, w: int, h: int) -> dict[str, Any]:
    return {"type": "stat", "title": title, "gridPos": {"h": h, "w": w, "x": x, "y": y},
            "targets": [{"refId": "A", "expr": "up"}]}


PLACED = [_panel("Tall", 0, 0, 12, 8), _panel("Right top", 12, 0, 12, 4), _panel("Right bottom", 12, 4, 12, 4),
          _panel("Left", 0, 8, 8, 4), _panel("After a gap", 16, 8, 8, 4),
          {"type": "row", "title": "More", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 12},
           "panels": [_panel("Narrow", 0, 13, 6, 6), _panel("Wide", 6, 13, 18, 3), _panel("Under wide", 6, 16, 9, 3)]}]
# Three written 6 rows lower than it shows: Grafana's grid floats it up under One and Two, where obsgen puts it
FLOWING = [_panel("One", 0, 0, 12, 4), _panel("Two", 12, 0, 12, 4), _panel("Three", 0, 10, 24, 6)]


def _positions(panels: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    return {p["title"]: p["gridPos"] for top in panels for p in (top, *top.get("panels", ()))}


def _imported(tmp_path: Path, panels: list[dict[str, Any]]) -> tuple[dict[str, Any], str, str]:
    source = tmp_path / "placed.json"
    source.write_text(json.dumps({"title": "Placed", "uid": "placed", "schemaVersion": 39, "panels": panels}, indent=2))
    definitions = base_definitions(tmp_path / "project")
    report = import_files([source], definitions)
    build(definitions, tmp_path / "out")
    (built,) = [json.loads(p.read_text()) for p in (tmp_path / "out/grafana/dashboards").rglob("placed.json")]
    return built, (definitions / "dashboards_placed.py").read_text(), "\n".join(report.notes)


def test_panels_obsgen_would_move_keep_their_place_as_written_with_a_note(tmp_path: Path) -> None:
    # before: 'Right bottom' went under 'Tall' (x=0, y=8 for x=12, y=4), 'Left' beside it (x=12), the row down to
    # y=16 and 'Under wide' to x=0, y=23 (x=6, y=16), with no word in the import's warnings
    built, module, warned = _imported(tmp_path, PLACED)
    assert _positions(built["panels"]) == _positions(PLACED)
    assert [p["title"] for p in built["panels"]] == ["Tall", "Right top", "Right bottom", "Left", "After a gap", "More"]
    assert "panels kept where the dashboard placed them (gridPos in extra=)" in warned, warned
    assert "would move them: 'Right bottom', 'Left', 'After a gap', 'More', 'Under wide'" in warned, warned
    assert module.count('"gridPos"') == 9  # every panel and the row: Grafana's grid places them all as written


def test_a_dashboard_obsgen_lays_out_the_same_keeps_no_positions(tmp_path: Path) -> None:
    built, module, warned = _imported(tmp_path, FLOWING)
    assert _positions(built["panels"]) == _positions(FLOWING) | {"Three": {"h": 6, "w": 24, "x": 0, "y": 4}}
    assert "gridPos" not in module and "placed them" not in warned


def test_where_grafana_shows_panels_is_found_in_time_growing_with_them_not_their_square() -> None:
    # a file of 10,000 panels all written at one place (each pushed below all before it), or in a staggered stack:
    # comparing each with every panel placed before took 143 s of CPU for 2,000 (cubic), now about 0.6 s for the
    # import of those; growth 10x the panels, under LINEAR (30), where quadratic is 100
    def stacked(text: str) -> object:
        count, at = int(text[1:]), text[0] == "="
        return _shown([Box(0, 0, 24, 1) if at else Box(i % 22, 0, 1 + i % 3, 1 + i % 5) for i in range(count)])

    assert growth(stacked, lambda n: f"={n}", 200) < LINEAR
    assert growth(stacked, lambda n: f"~{n}", 200) < LINEAR
