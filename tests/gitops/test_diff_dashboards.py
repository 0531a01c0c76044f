"""Dashboards in a diff: panels' queries, units, thresholds and places, compared on Grafana's JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from generator.analysis.diff.changes import FieldChange, OutTree
from generator.analysis.diff.compare import compare_trees
from generator.analysis.diff.render import markdown, text

PATH = "grafana/dashboards/Operations/operations.json"


def _panel(title: str, expr: str, y: int, unit: str = "percent", red: float = 90) -> dict[str, Any]:
    return {"type": "timeseries", "id": len(title), "title": title, "gridPos": {"h": 8, "w": 12, "x": 0, "y": y},
            "targets": [{"refId": "A", "expr": expr, "legendFormat": "{{instance}}"}],
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "red", "value": red}]}}}}


def _dashboard() -> dict[str, Any]:
    return {"uid": "operations", "title": "Operations", "refresh": "10s",
            "templating": {"list": [{"name": "instance", "query": "label_values(up, instance)"}]},
            "panels": [{"type": "row", "title": "System health", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0}},
                       _panel("CPU Usage", "instance:cpu_usage:percent", 1),
                       _panel("Memory Usage", "instance:memory_usage:percent", 9, red=95),
                       {"type": "row", "title": "Disks", "collapsed": True,
                        "gridPos": {"h": 1, "w": 24, "x": 0, "y": 17},
                        "panels": [_panel("Disk Free", "node_filesystem_avail_bytes", 18, unit="bytes")]}]}


def _trees(tmp_path: Path, head: dict[str, Any]) -> tuple[OutTree, OutTree]:
    for side, document in (("base", _dashboard()), ("head", head)):
        path = tmp_path / side / PATH
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(document))
    return OutTree(tmp_path / "base"), OutTree(tmp_path / "head")


def test_a_panel_threshold_query_and_unit_change_is_one_panel_change(tmp_path: Path) -> None:
    head = _dashboard()
    cpu = head["panels"][1]
    cpu["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 85
    cpu["fieldConfig"]["defaults"]["unit"] = "percentunit"
    cpu["targets"][0]["expr"] = "instance:cpu_usage:ratio"
    report = compare_trees(*_trees(tmp_path, head), ("base", "head"))
    assert [(c.section, c.action, c.name) for c in report.changes] == [("panels", "changed", "Operations / CPU Usage")]
    assert report.changes[0].fields == (
        FieldChange("query A", "instance:cpu_usage:percent", "instance:cpu_usage:ratio"),
        FieldChange("thresholds", "green, red from 90", "green, red from 85"),
        FieldChange("unit", "percent", "percentunit"),
    )
    assert report.files.modified == (PATH,)
    assert "| thresholds | `green, red from 90` | `green, red from 85` |" in markdown(report)


def test_panels_added_removed_and_moved_and_inside_collapsed_rows(tmp_path: Path) -> None:
    head = _dashboard()
    memory = head["panels"].pop(2)
    memory["gridPos"]["x"] = 12
    memory["gridPos"]["y"] = 1
    head["panels"].insert(2, memory)
    head["panels"][3]["panels"].append(_panel("Disk I/O", "rate(node_disk_io_time_seconds_total[5m])", 26))
    del head["panels"][1]
    report = compare_trees(*_trees(tmp_path, head), ("base", "head"))
    assert [(c.action, c.name) for c in report.changes] == [
        ("removed", "Operations / CPU Usage"), ("added", "Operations / Disk I/O"),
        ("changed", "Operations / Memory Usage")]
    assert report.changes[2].fields == (FieldChange("position", "x=0 y=9 w=12 h=8", "x=12 y=1 w=12 h=8"),)


def test_dashboard_settings_and_variables_are_dashboard_changes(tmp_path: Path) -> None:
    head = copy.deepcopy(_dashboard())
    head["refresh"] = "5s"
    head["templating"]["list"][0]["query"] = "label_values(up{job=\"node\"}, instance)"
    report = compare_trees(*_trees(tmp_path, head), ("base", "head"))
    assert [(c.section, c.name) for c in report.changes] == [("dashboards", "Operations")]
    assert [f.field for f in report.changes[0].fields] == ["refresh", "variable instance"]


def test_a_text_panels_changed_lines_are_shown_and_nothing_else(tmp_path: Path) -> None:
    """The alerts table on a dashboard is a text panel: a threshold changed in a rule changes what it says."""
    table = ["| alert | condition |", "|---|---|", "| CpuHigh | `cpu > 90` |", "| MemoryHigh | `memory > 95` |"]
    base, head = _dashboard(), _dashboard()
    for document, row in ((base, table[2]), (head, "| CpuHigh | `cpu > 85` |")):
        document["panels"].append({"type": "text", "id": 99, "title": "Alerts", "gridPos": {"h": 8, "w": 24, "x": 0,
                                                                                             "y": 30},
                                   "options": {"mode": "markdown", "content": "\n".join([*table[:2], row, table[3]])}})
    for side, document in (("base", base), ("head", head)):
        path = tmp_path / side / PATH
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(document))
    report = compare_trees(OutTree(tmp_path / "base"), OutTree(tmp_path / "head"), ("base", "head"))
    assert [(c.action, c.name, [f.field for f in c.fields]) for c in report.changes] == [
        ("changed", "Operations / Alerts", ["text"])]
    assert "| text | \\| CpuHigh \\| `cpu > 90` \\| | \\| CpuHigh \\| `cpu > 85` \\| |" in markdown(report)
    shown = text(report)
    assert "      text:\n        - | CpuHigh | `cpu > 90` |\n        + | CpuHigh | `cpu > 85` |\n" in shown
    assert "MemoryHigh" not in shown
