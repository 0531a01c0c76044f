"""`obsgen import` reading dashboards as Grafana reads them (import55): Grafana 12's dashboard resources (a classic
one in a v1 resource's spec read, one of schema v2 refused at its line with what to do), warnings about panels in
rows and after dropped values naming the panel they are about, and JSON in a ConfigMap's quoted string read with
the file's lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.core.errors import DefinitionError
from generator.importer.write import import_files
from generator.scaffold import create

PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}


def _panel(old: int | None, title: str, y: int = 0, kind: str = "timeseries", **fields: Any) -> dict[str, Any]:
    panel = {"id": old, "type": kind, "title": title, "datasource": PROMETHEUS,
             "gridPos": {"h": 8, "w": 12, "x": 0, "y": y}, "targets": [{"refId": "A", "expr": "up"}], **fields}
    return panel if old is not None else {key: value for key, value in panel.items() if key != "id"}


def _first_line(text: str, written: str) -> int:
    return text[:text.index(written)].count("\n") + 1


V2_SPEC = {
    "title": "CPU overview",
    "elements": {"panel-1": {"kind": "Panel", "spec": {"id": 1, "title": "CPU", "data": {
        "kind": "QueryGroup", "spec": {"queries": [{"kind": "PanelQuery", "spec": {"refId": "A", "query": {
            "kind": "DataQuery", "group": "prometheus", "version": "v0", "spec": {"expr": "up"}}}}]}}}}},
    "layout": {"kind": "GridLayout", "spec": {"items": [{"kind": "GridLayoutItem", "spec": {
        "x": 0, "y": 0, "width": 12, "height": 8, "element": {"kind": "ElementReference", "name": "panel-1"}}}]}},
}
V2 = {"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard", "metadata": {"name": "cpu"}, "spec": V2_SPEC}
REFUSED = (r"cannot import: dashboard 'CPU overview' is a Grafana 12 schema v2 resource{version}, its panels in "
           r"spec\.elements and placed by spec\.layout, which obsgen does not read: export it from Grafana as classic "
           r"JSON \(Export > Export as JSON, the Classic model\) and import that")


@pytest.mark.parametrize("written", ["resource", "spec alone", "in a list"])
def test_a_grafana_12_schema_v2_dashboard_is_refused_at_its_line_saying_to_export_it_as_classic_json(
        tmp_path: Path, written: str) -> None:
    # Grafana 12's v2 resource: panels by name in spec.elements, placed by spec.layout (grids, rows, tabs, auto
    # grids); read as a classic one it held "no Grafana dashboard", which said neither what it is nor what to do
    value: Any = {"resource": V2, "spec alone": V2_SPEC, "in a list": [{"meta": {}}, V2]}[written]
    source = tmp_path / "cpu.json"
    text = json.dumps(value, indent=1)
    source.write_text(text)
    line = _first_line(text, '"apiVersion"') - 1 if written != "spec alone" else 1
    version = r" \(dashboard\.grafana\.app/v2beta1\)" if written != "spec alone" else ""
    create(tmp_path / "project", "grafana12")
    with pytest.raises(DefinitionError, match=rf"^{source}:{line}: {REFUSED.format(version=version)}$"):
        import_files([source], tmp_path / "project/definitions")


def test_a_grafana_12_schema_v2_dashboard_in_a_configmap_is_refused_at_its_line(tmp_path: Path) -> None:
    block = json.dumps(V2, indent=2)
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards}\ndata:\n  cpu.json: |-\n"
            + "".join(f"    {line}\n" for line in block.splitlines()))
    source = tmp_path / "dashboards.yaml"
    source.write_text(text)
    create(tmp_path / "project", "grafana12")
    version = r" \(dashboard\.grafana\.app/v2beta1\)"
    with pytest.raises(DefinitionError, match=rf"^{source}:6: {REFUSED.format(version=version)}$"):
        import_files([source], tmp_path / "project/definitions")


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_grafana_12_v1_resource_is_read_as_the_classic_dashboard_its_spec_holds(tmp_path: Path,
                                                                                    suffix: str) -> None:
    # v0alpha1/v1beta1: Grafana 12's resource whose spec is the classic JSON (its API's and Git Sync's format)
    resource = {"apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard", "metadata": {"name": "cpu"},
                "spec": {"title": "CPU", "uid": "cpu", "schemaVersion": 41, "panels": [_panel(1, "Usage")]}}
    source = tmp_path / f"cpu.{suffix}"
    source.write_text(json.dumps(resource, indent=1))  # JSON is YAML too
    create(tmp_path / "project", "grafana12")
    import_files([source], tmp_path / "project/definitions")
    (module,) = (tmp_path / "project/definitions").glob("dashboards_cpu*.py")
    assert 'name="CPU"' in module.read_text() and 'title="Usage"' in module.read_text()
