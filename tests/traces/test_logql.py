"""LogQL structure checks, one case per line of cases/logql.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.core.logql import LogQLError, metric_query

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
