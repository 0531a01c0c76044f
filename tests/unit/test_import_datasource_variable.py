"""An imported dashboard's Prometheus data source variable is renamed `datasource`, and every reference to it reads
the data source obsgen's panels name (derive/variable_json.DATASOURCE)."""

from __future__ import annotations

from typing import Any

from generator.derive.variable_json import DATASOURCE
from generator.interop.grafana_json import _datasource_references


class Notes:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def add(self, text: str, key: str, at: str | None = None) -> None:
        self.said.append((text, key))


def test_a_renamed_prometheus_variable_is_read_as_obsgens_panels_name_their_data_source() -> None:
    data: dict[str, Any] = {
        "templating": {"list": [{"type": "datasource", "query": "prometheus", "name": "ds"}]},
        "panels": [{"datasource": "$ds", "targets": [{"datasource": {"uid": "${ds}"}}, {"datasource": "[[ds]]"}]}]}
    notes = Notes()
    rewritten = _datasource_references(data, notes)  # type: ignore[arg-type]  # Notes' add is all it calls
    panel = rewritten["panels"][0]
    assert [panel["datasource"], *(target["datasource"] for target in panel["targets"])] == [DATASOURCE] * 3
    assert DATASOURCE == {"type": "prometheus", "uid": "${datasource}"}
    assert rewritten["templating"]["list"][0]["name"] == "datasource"
    assert notes.said and notes.said[0][1] == "$ds"
