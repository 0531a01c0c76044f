"""What an imported dashboard leaves out means Grafana's default, not obsgen's: the silent changes of meaning
once seen on real dashboards, each pinned."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.build import build
from generator.importer.write import ImportReport, import_files
from generator.scaffold import create

DASHBOARD: dict[str, Any] = {
    "title": "Storage hosts", "uid": "storage-hosts", "schemaVersion": 22, "timezone": "",
    "templating": {"list": [{"name": "host", "type": "query", "datasource": "Prometheus", "includeAll": True,
                             "multi": True, "query": 'label_values(node_uname_info{role="storage"}, instance)'}]},
    "panels": [
        {"id": 1, "type": "timeseries", "title": "Load", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "targets": [{"refId": "A", "expr": 'node_load1{instance=~"$host"}'},
                     {"refId": "B", "expr": 'node_load5{instance=~"$host"}', "legendFormat": ""}]},
        {"id": 2, "type": "table", "title": "Disks", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
         "styles": [{"pattern": "device", "type": "string", "alias": "Device"},
                    {"pattern": "Value", "type": "number", "unit": "bytes", "decimals": 1},
                    {"pattern": "/.*/", "type": "hidden"}],
         "targets": [{"refId": "A", "expr": "node_filesystem_avail_bytes", "format": "table", "instant": True}]},
    ],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], ImportReport]:
    root = tmp_path_factory.mktemp("meaning")
    create(root, "meaning")
    source = root / "storage.json"
    source.write_text(json.dumps(DASHBOARD))
    report = import_files([source], root / "definitions")
    build(root / "definitions", root / "out")
    (path,) = (root / "out/grafana/dashboards").rglob("storage-hosts.json")
    return json.loads(path.read_text()), report


def _panel(dashboard: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in dashboard["panels"] if p["title"] == title)


def test_all_without_an_all_value_still_sends_the_variables_own_values(built: tuple[dict[str, Any], Any]) -> None:
    host = next(v for v in built[0]["templating"]["list"] if v["name"] == "host")
    assert host["includeAll"] is True and "allValue" not in host  # not ".*": every host Prometheus has


def test_an_empty_or_missing_legend_format_stays_grafanas_default(built: tuple[dict[str, Any], Any]) -> None:
    assert [t["legendFormat"] for t in _panel(built[0], "Load")["targets"]] == ["", ""]  # not "__auto"


def test_absent_dashboard_settings_take_grafanas_defaults(built: tuple[dict[str, Any], Any]) -> None:
    dashboard = built[0]
    assert (dashboard["timezone"], dashboard["graphTooltip"], dashboard["editable"]) == ("", 0, True)


def test_a_hidden_catch_all_table_style_keeps_unnamed_columns_hidden(built: tuple[dict[str, Any], Any]) -> None:
    disks = _panel(built[0], "Disks")
    assert disks["fieldConfig"]["defaults"]["custom"]["hidden"] is True
    assert "custom.hidden" not in disks["fieldConfig"]["defaults"]  # override syntax in defaults means nothing
    overrides = {o["matcher"]["options"]: o["properties"] for o in disks["fieldConfig"]["overrides"]}
    assert overrides["device"] == [{"id": "displayName", "value": "Device"}, {"id": "custom.hidden", "value": False}]
    assert {"id": "custom.hidden", "value": False} in overrides["Value"]
    assert any("catch-all style (/.*/) hides columns" in note and "'Disks' styles" in note for note in built[1].notes)
