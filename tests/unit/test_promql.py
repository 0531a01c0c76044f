import pytest

from generator.core.duration import format_seconds, parse_seconds
from generator.core.promql import PromQLError, metric_names, ranges, rescale_ranges, selectors


def test_finds_every_selector_with_its_enclosing_function() -> None:
    found = selectors('histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))) / y + max_over_time(z[5m:1m])')
    assert [(s.name, s.ranged, s.function) for s in found] == [
        ("x_bucket", True, "rate"), ("y", False, ""), ("z", True, "max_over_time")]


def test_name_from_a_name_matcher() -> None:
    assert metric_names('{__name__="up", job="a"} == 0') == {"up"}
    # != selects every series but that one's: it names no metric (read as "up", a rule test's cut kept up's rule
    # alone for an alert reading every other series)
    assert metric_names('{__name__!="up", job="a"} == 0') == set()


def test_syntax_error_names_the_expression() -> None:
    with pytest.raises(PromQLError, match=r"invalid PromQL 'rate\(x\[5m\]'"):
        selectors("rate(x[5m]")


def test_selectors_know_the_range_they_are_read_over() -> None:
    found = selectors("rate(x[5m]) / y > z")
    assert [(s.name, s.window) for s in found] == [("x", 300), ("y", None), ("z", None)]


def test_ranges_lists_range_windows_and_subquery_ranges() -> None:
    assert ranges("max_over_time(rate(x[5m])[1h:1m])") == (3600, 300)


def test_rescale_ranges_maps_windows_offsets_and_steps_but_not_strings() -> None:
    halve = lambda d: format_seconds(parse_seconds(d) / 2)  # noqa: E731
    expr = 'rate(x{path=~"/a[5m]"}[10m] offset 1h) + max_over_time(y[2h:2m])'
    assert rescale_ranges(expr, halve, halve) == 'rate(x{path=~"/a[5m]"}[5m] offset 30m) + max_over_time(y[1h:1m])'
