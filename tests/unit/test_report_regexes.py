"""promtool's report of failed rule tests (checks/failed_examples.FAILED) and a business metric's SQL
(checks/semantics/counter_state_labels) are read in linear time, finding what the old regexes found (written out
below)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from generator.checks.failed_examples import FAILED
from generator.checks.semantics.counter_state_labels import _restricted
from tests.linear_time import LINEAR, growth

OLD_FAILED = re.compile(r"^\s*name: (.*),\s*$(?:\n\s*alertname: (.*), time: (\S+),\s*$)?", re.MULTILINE)
REPORTS: dict[str, Callable[[int], str]] = {
    "blank lines": lambda n: "\n" * n + "x",
    "blank lines of blanks": lambda n: "  \n" * n + "  x",
    "blank lines, then a failed test": lambda n: " \n" * n + "  name: a: b,\n",
}


@pytest.mark.parametrize("shape", list(REPORTS))
def test_a_report_is_read_in_linear_time(shape: str) -> None:
    assert growth(FAILED.findall, REPORTS[shape]) < LINEAR


def test_a_report_is_read_as_before() -> None:
    rng = random.Random(54)
    pieces = ["\n", " ", "\t", "name: ", "alertname: ", ", time: ", "1m", ",", "a", "b; c", "\n  ", "\r"]
    reports = ["  name: A: x never fires,\n    alertname: A, time: 1m,\n",
               "\n\n  name: a; b,\n\n  alertname: a, time: 2m,"]
    reports += ["".join(rng.choice(pieces) for _ in range(rng.randrange(20))) for _ in range(30000)]
    for report in reports:
        assert FAILED.findall(report) == OLD_FAILED.findall(report), repr(report)


def test_sql_is_read_in_linear_time() -> None:
    assert growth(lambda sql: _restricted(sql, "status"), lambda n: "WHERE " * n) < LINEAR
    assert growth(lambda sql: _restricted(sql, "status"), lambda n: "where x " * n + "status = 1") < LINEAR


def test_sql_is_read_as_before() -> None:
    rng = random.Random(54)
    pieces = ["WHERE", "where", " ", "\n", "status", "Status", "=", "IN", "in", "x", "_", "(", "statuses"]
    for _ in range(30000):
        sql = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        old = re.search(r"\bWHERE\b.*\bstatus\s*(=|\bIN\b)", sql, re.IGNORECASE | re.DOTALL) is not None
        assert _restricted(sql, "status") == old, repr(sql)
