"""Every generated dashboard passes Grafana's schema (the pinned Grafana Foundation SDK)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.grafana.schema_oracle import problems


def test_every_generated_dashboard_loads_back_through_grafanas_schema(compiled: dict[str, dict[str, Any]]) -> None:
    assert len(compiled) >= 5
    for path, document in compiled.items():
        assert problems(document) == [], path


def test_the_oracle_rejects_an_unknown_field_and_a_wrong_enum(compiled: dict[str, dict[str, Any]]) -> None:
    document = copy.deepcopy(next(iter(compiled.values())))
    panel = next(p for p in document["panels"] if p["type"] == "timeseries")
    panel["fieldConfig"]["defaults"]["custom"]["drawStyle"] = "zigzag"
    panel["colour"] = "red"
    found = problems(document)
    assert any("colour: not in Grafana's schema" in p for p in found)
    assert any("'zigzag' not in GraphDrawStyle" in p for p in found)


@pytest.mark.parametrize("kind", ["graph", "singlestat"])
def test_the_oracle_rejects_panel_types_grafana_12_removed(compiled: dict[str, dict[str, Any]], kind: str) -> None:
    document = copy.deepcopy(next(iter(compiled.values())))
    panel = next(p for p in document["panels"] if p["type"] == "timeseries")
    panel["type"] = kind
    assert any("unknown to the schema" in p for p in problems(document))
