"""A PromQL change shown once with the changed tokens marked, a long regex included."""

from __future__ import annotations

from generator.analysis.diff.expr_diff import as_html, as_text, expr_diff


def test_a_changed_threshold_and_operator_are_marked_and_the_rest_is_not() -> None:
    assert as_text(expr_diff("cpu > 90", "cpu >= 95")) == "cpu [->-]{+>=+} [-90-]{+95+}"


def test_a_service_added_to_a_long_regex_is_shown_once_with_only_the_service_marked() -> None:
    services = "|".join(f"service-{i:03d}" for i in range(150))
    old = f'sum(rate(http_requests_total{{service=~"{services}"}}[5m]))'
    new = old.replace("service-077|", "service-077|payments|")
    shown = as_text(expr_diff(old, new))
    assert len(old) > 1500 and len(shown) < 120
    assert "service-077|{+payments|+}service-078" in shown and shown.count("service-001") == 0


def test_the_marked_expression_is_html_that_nothing_in_it_can_break() -> None:
    assert as_html(expr_diff('a{b="<x>|y"}', 'a{b="<x>|z"}')) == \
        '<code>a{b=&quot;&lt;x&gt;&#124;<del>y</del><ins>z</ins>&quot;}</code>'
