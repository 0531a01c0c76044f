"""`obsgen import` saying where and keeping meaning (import53): custom variables' `text : value` items split as
Grafana splits them, links to a panel by its old id following it to its new one, YAML aliases accepted within a
bound on what they expand to, and every error about a rule file or dashboard naming its file:line."""

from __future__ import annotations

from typing import Any

import pytest

from generator.core.errors import Location
from generator.derive.dashboards import values_of
from generator.derive.variable_json import variable_json
from generator.interop.grafana_json import convert
from generator.model.identity import panel_id

PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}


def _dashboard(*panels: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"title": "Shapes", "uid": "shapes", "schemaVersion": 39, "panels": list(panels), **fields}


def _timeseries(panel_id: int, title: str, y: int = 0, **fields: Any) -> dict[str, Any]:
    return {"id": panel_id, "type": "timeseries", "title": title, "datasource": PROMETHEUS,
            "gridPos": {"h": 8, "w": 12, "x": 0, "y": y},
            "targets": [{"refId": "A", "expr": "up", "datasource": PROMETHEUS}], **fields}


@pytest.mark.parametrize("options", [[], "as exported"])
def test_a_custom_variables_text_colon_value_items_are_split_as_grafana_splits_them(options: Any) -> None:
    # scenes' CustomVariable.transformCsvStringToOptions: /^\s*(.+)\s:\s(.+)$/ on each item, the text before the
    # (last) spaced colon shown, the value after it sent as $env; an item without one is both
    exported = [{"text": "prod", "value": "production", "selected": False},
                {"text": "dev", "value": "development", "selected": True},
                {"text": "a:b", "value": "a:b", "selected": False}]
    variable = {"type": "custom", "name": "env", "query": "prod : production,dev : development,a:b",
                "current": {"text": "dev", "value": "development"},
                "options": exported if options == "as exported" else options}
    converted = convert(_dashboard(_timeseries(1, "Up"), templating={"list": [variable]}), Location("s.json", 1))
    (env,) = [v for v in converted.dashboard.variables if v.name == "env"]
    written = variable_json(env)
    assert written["options"] == exported
    assert written["current"] == {"text": "dev", "value": "development"}
    assert written["query"] == variable["query"]
    assert values_of([env])["env"] == "development"


def _urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [url for key, item in value.items()
                for url in ([item] if key == "url" and isinstance(item, str) else _urls(item))]
    return [url for item in value for url in _urls(item)] if isinstance(value, list | tuple) else []


def test_links_to_the_dashboards_own_panels_by_their_old_ids_follow_them_to_their_new_ids() -> None:
    # ids derive from titles: the old ones open another panel or none ("Panel not found"). A link names this
    # dashboard when it names none (the page it is on) or its uid; another dashboard's ids are that dashboard's
    own = {"title": "CPU", "url": "/d/shapes/shapes?viewPanel=2&from=now-1h"}
    data_link = {"title": "zoom", "url": "${__url.path}?orgId=1&viewPanel=panel-2"}
    other = {"title": "other", "url": "/d/other/other?viewPanel=2"}
    site = {"title": "site", "url": "https://example.org/?viewPanel=2"}
    cpu = _timeseries(1, "CPU", links=[own, other, site])
    memory = _timeseries(2, "Memory", y=8, fieldConfig={
        "defaults": {"links": [data_link]},
        "overrides": [{"matcher": {"id": "byName", "options": "x"},
                       "properties": [{"id": "links", "value": [{"title": "o", "url": "?editPanel=1"}]}]}]})
    row = {"id": 3, "type": "row", "title": "More", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 16},
           "panels": [_timeseries(4, "Disk", y=17, links=[{"title": "up", "url": "d/${__dashboard.uid}?viewPanel=1"}])]}
    header = [{"title": "embed", "type": "link", "url": "/d-solo/shapes/shapes?panelId=4&width=500"}]
    converted = convert(_dashboard(cpu, memory, row, links=header), Location("s.json", 1))
    dashboard = converted.dashboard
    new = {panel.title: panel_id(panel.title) for panel in dashboard.all_panels}
    assert new["CPU"] != 1 and new["Memory"] != 2 and new["Disk"] != 4
    urls = _urls(dashboard.model_dump())
    assert f"/d/shapes/shapes?viewPanel={new['Memory']}&from=now-1h" in urls
    assert f"${{__url.path}}?orgId=1&viewPanel=panel-{new['Memory']}" in urls
    assert f"?editPanel={new['CPU']}" in urls
    assert f"d/${{__dashboard.uid}}?viewPanel={new['CPU']}" in urls
    assert f"/d-solo/shapes/shapes?panelId={new['Disk']}&width=500" in urls
    assert other["url"] in urls and site["url"] in urls  # not this dashboard's panels
    (note,) = [note for note in converted.notes if "by their old ids" in note]
    assert repr(own["url"]) in note
