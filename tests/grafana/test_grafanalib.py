"""A grafanalib dashboard in definitions/ is converted into the model, laid out, linted and emitted."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import compile_definitions, load
from generator.model import Dashboard, PanelKind
from generator.targets import grafana
from tests.grafana.conftest import DEFINITIONS
from tests.grafana.schema_oracle import problems

GRAFANALIB_MODULE = '''
from grafanalib.core import (
    Dashboard, GridPos, Graph, Stat, Target, Template, Templating, YAxes, YAxis, single_y_axis,
)

DS = "${datasource}"

SHOP_API = Dashboard(
    title="Shop API", description="Requests and availability of the shop API, written with grafanalib.",
    refresh="30s", tags=["api"],
    templating=Templating(list=[
        Template(name="datasource", type="datasource", query="prometheus"),
        Template(name="service", query="label_values(http_requests_total, service)", dataSource=DS,
                 includeAll=True, multi=True, allValue=".*"),
    ]),
    panels=[
        Graph(title="Requests", description="Requests per second per service.", dataSource=DS,
              yAxes=single_y_axis(format="reqps"), gridPos=GridPos(h=8, w=12, x=0, y=0),
              targets=[Target(expr='sum by (service) (rate(http_requests_total{service=~"$service"}'
                                   '[$__rate_interval]))', legendFormat="{{service}}", refId="A")]),
        Stat(title="Availability", description="Share of scrape targets up.", format="percentunit",
             dataSource=DS, gridPos=GridPos(h=4, w=6, x=12, y=0),
             targets=[Target(expr="avg(up)", refId="A")]),
    ],
).auto_panel_ids()
'''


def test_a_grafanalib_dashboard_converts_and_passes_the_same_checks(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    (definitions / "shop_api.py").write_text(GRAFANALIB_MODULE)
    project = load(definitions)
    converted = project.by_name(Dashboard)["Shop API"]
    assert converted.location.file.endswith("shop_api.py") and converted.location.line == 8
    assert [p.kind for p in converted.all_panels] == [PanelKind.TIMESERIES, PanelKind.STAT]
    assert [p.unit for p in converted.all_panels] == ["reqps", "percentunit"]
    document = grafana.render(project)[f"grafana/dashboards/grafanalib/{converted.uid}.json"]
    assert document["schemaVersion"] == 42
    assert {p["type"] for p in document["panels"]} == {"timeseries", "stat"}
    # grafanalib writes Grafana 4's `step` on every target: no successor obsgen knows, so it is kept verbatim.
    assert problems(document) == [f"dashboard.panels[{i}].targets[0].step: not in Grafana's schema" for i in (0, 1)]
    assert [p for p in compile_definitions(definitions).report.problems if p.code.startswith("GD")] == []


def test_a_grafanalib_dashboard_reading_an_undefined_series_stops_the_build(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    (definitions / "shop_api.py").write_text(GRAFANALIB_MODULE.replace("avg(up)", "avg(upp)"))
    try:
        load(definitions)
    except Exception as error:
        assert "shop_api.py:8" in str(error) and "'upp'" in str(error)
    else:
        raise AssertionError("load accepted a panel reading an undefined series")
