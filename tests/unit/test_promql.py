import pytest

from generator.promql import PromQLError, metric_names, selectors


def test_finds_every_selector_with_its_enclosing_function() -> None:
    found = selectors('histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))) / y + max_over_time(z[5m:1m])')
    assert [(s.name, s.ranged, s.function) for s in found] == [
        ("x_bucket", True, "rate"), ("y", False, ""), ("z", True, "max_over_time")]


def test_name_from_a_name_matcher() -> None:
    assert metric_names('{__name__="up", job="a"} == 0') == {"up"}


def test_syntax_error_names_the_expression() -> None:
    with pytest.raises(PromQLError, match=r"invalid PromQL 'rate\(x\[5m\]'"):
        selectors("rate(x[5m]")
