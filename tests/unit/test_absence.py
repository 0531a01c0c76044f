"""absence_asked(): the selectors an absent()/absent_over_time() call asks about, at any depth inside it."""

import pytest

from generator.core.promql import absence_asked


def asked(expr: str) -> list[tuple[str, bool, bool]]:
    """(name, instant, asked alone) of each selector an absence call asks about."""
    return [(s.name, s.instant, s.asked_alone) for s in absence_asked(expr)]


@pytest.mark.parametrize(("expr", "found"), [
    ("absent(x)", [("x", True, True)]),
    ("absent(rate(x[5m]))", [("x", False, True)]),  # the range covers the wait: no lookback on top
    ("absent(sum by (job) (x))", [("x", True, True)]),
    ("absent(x > 0)", [("x", True, True)]),
    ("absent(label_replace(sum by (job) (rate(x[5m])), \"j\", \"$1\", \"job\", \"(.*)\"))", [("x", False, True)]),
    ("-(absent((x)))", [("x", True, True)]),
])
def test_a_call_asks_about_what_it_reads_at_any_depth(expr: str, found: list[tuple[str, bool, bool]]) -> None:
    assert asked(expr) == found


def test_absent_over_time_of_a_range_reads_no_instant_but_of_a_subquery_does() -> None:
    """A subquery reads its inner selector at each step, with the lookback; a range selector reads its window."""
    assert [(s.name, s.window, s.instant) for s in absence_asked("absent_over_time(x[15m])")] == [("x", 900, False)]
    assert asked("absent_over_time(x[1h:1m])") == [("x", True, True)]
    assert asked("absent_over_time(rate(x[5m])[1h:1m])") == [("x", False, True)]
    assert asked("absent_over_time(max_over_time(x[10m])[1h:])") == [("x", False, True)]


def test_either_side_of_an_or_is_asked_but_neither_alone() -> None:
    """absent(x or y) fires only when both vanish; the SLO alert's `absent(x) or absent(y)` asks each alone."""
    assert asked("absent(x or y)") == [("x", True, False), ("y", True, False)]
    assert asked("absent(sum(x) or vector(0))") == [("x", True, False)]
    assert asked("max(absent(x) or absent(y{a=\"b\"}) or vector(0)) == 1") == [("x", True, True), ("y", True, True)]


def test_the_right_of_an_unless_is_not_asked_and_of_an_and_is() -> None:
    """x unless y vanishes when x does, never because y does (that only brings x back); x and y when either does."""
    assert asked("absent(x unless y)") == [("x", True, True)]
    assert asked("absent(x unless on (job) rate(y[5m]))") == [("x", True, True)]
    assert asked("absent(x and on (job) y)") == [("x", True, True), ("y", True, True)]
    assert asked("absent(x unless absent(y))") == [("x", True, True), ("y", True, True)]  # y asked by its own call


def test_nested_calls_each_ask_about_their_own() -> None:
    assert asked("absent(x) * on () group_left absent_over_time(y[10m])") == [("x", True, True), ("y", False, True)]
    assert asked("absent(absent_over_time(x[5m]) or y)") == [("x", False, True), ("y", True, False)]


@pytest.mark.parametrize("expr", ["rate(x[5m]) > 0", "sum(x) or vector(0)", "x unless absent(vector(1))",
                                  "absent(vector(1))", "absent(", "absent_over_time(x[5m]"])
def test_nothing_asked_without_a_call_a_selector_in_it_or_valid_promql(expr: str) -> None:
    assert asked(expr) == []


def test_selectors_outside_a_call_are_not_asked() -> None:
    found = absence_asked("absent(x) and on () rate(y[5m]) > 0")
    assert [s.name for s in found] == ["x"]
