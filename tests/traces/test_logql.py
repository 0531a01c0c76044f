"""LogQL structure checks, one case per line of cases/logql.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core.logql import LogQLError, metric_query, result_labels

CASES: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "cases/logql.yml").read_text())


@pytest.mark.parametrize("expr", CASES["valid"])
def test_valid_metric_queries_parse(expr: str) -> None:
    query = metric_query(expr)
    assert query.selectors and query.ranges


@pytest.mark.parametrize("case", CASES["invalid"], ids=[c["error"] for c in CASES["invalid"]])
def test_invalid_queries_are_rejected_with_the_reason(case: dict[str, str]) -> None:
    with pytest.raises(LogQLError, match=case["error"]):
        metric_query(case["expr"])


def test_selector_labels_are_reported() -> None:
    query = metric_query('rate({service_name="api", env=~"prod|staging"} [5m])')
    assert query.labels == {"service_name", "env"}


@pytest.mark.parametrize(("expr", "labels"), [
    ('sum by (service_name) (count_over_time({service_name="rag-engine"} |= "timeout" [10m])) > 20', {"service_name"}),
    ('sum(count_over_time({a="b"} |= ") by (z)" [5m])) by (x, y) >= bool 3', {"x", "y"}),
    ('count(rate({a="b"}[1m]))', set()),
    ('count_over_time({a="b"}[5m]) > 1', None),  # every stream label, and what parsers extract
    ('sum without (x) (rate({a="b"}[1m]))', None),
    ('sum by (a) (rate({a="b"}[1m])) / sum by (a) (rate({a="c"}[1m])) > 0.1', None),
    ('topk(3, sum by (a) (rate({a="b"}[1m])))', None),
])
def test_the_result_labels_are_those_an_aggregation_keeps(expr: str, labels: set[str] | None) -> None:
    """What a log alert's acknowledgement may name as <label>: the labels `by` keeps, unknown for any other shape."""
    metric_query(expr)
    assert result_labels(expr) == (None if labels is None else frozenset(labels))
