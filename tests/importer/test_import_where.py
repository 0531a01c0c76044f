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
