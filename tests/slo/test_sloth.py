"""obsgen against Sloth on Sloth's documented example: same windows, burn factors, thresholds and SLI expressions.

Quoted from slok/sloth, `examples/getting-started.yml` (the spec) and `examples/_gen/getting-started.yml`
(Sloth's generated rules for it, commit 20ea5015609d9a408ce261c1ca472c267774f5a4). Where obsgen differs,
on purpose:
- names: Sloth shares `slo:sli_error:ratio_rate<w>` across SLOs, told apart by sloth_* labels; obsgen names
  each SLO's series (`slo:<service>_<slo>_sli_error:ratio_rate<w>`), because a recording rule's name is
  unique in a project, and labels them slo/service;
- the 30d ratio: Sloth averages the 5m ratios (each 5 minutes weighs the same, however little traffic;
  one idle 5 minutes (0/0 = NaN) makes the 30-day average NaN); obsgen divides the 30-day sums of the
  recorded 5m failed and all event rates, which weighs by traffic and has no NaN from idle minutes.
  That costs two rules (the event rates), and the 5m ratio is their quotient;
- a window without events: Sloth's ratios are 0/0 = NaN, a sample, which a panel's `or 0 * events` keeps; obsgen
  divides by (events > 0), so the ratio has no sample and the panel shows 0 burn;
- alerts: Sloth writes one page and one ticket alert, each an `or` of its two window pairs; obsgen writes
  one alert per window pair (labelled window=1h/6h/1d/3d, as Pyrra does) so the responder and the tests
  see which pair fired, with the long window first (the SRE workbook's order; the alert's value is
  then the long window's ratio);
- thresholds: Sloth's 100-99.9 leaves binary noise (0.0009999999999999432); obsgen writes 0.001;
- metadata: Sloth records the budget (vector(1-0.999)), the period in days and an info series; obsgen
  writes the budget as a number where it is used and the window in the rule names.
"""

from __future__ import annotations

import math
import re
from typing import Any

from generator.core.promql import parse
from generator.derive.slo.rules import expand
from generator.model import SLO, RatioSLI

# examples/getting-started.yml: the SLO as Sloth's users write it.
SLOTH_ERROR_QUERY = 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))'
SLOTH_TOTAL_QUERY = 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))'

# examples/_gen/getting-started.yml: the recorded SLI windows and two of their expressions.
SLOTH_SLI_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
SLOTH_SLI_1H = '''(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[1h])))
/
(sum(rate(http_request_duration_seconds_count{job="myservice"}[1h])))'''
SLOTH_RECORDS = [f"slo:sli_error:ratio_rate{w}" for w in SLOTH_SLI_WINDOWS] + [
    "slo:objective:ratio", "slo:error_budget:ratio", "slo:time_period:days", "slo:current_burn_rate:ratio",
    "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio", "sloth_slo_info"]
SLOTH_ALERTS = 2
SLOTH_FILTER = ('{sloth_id="myservice-requests-availability", sloth_service="myservice", '
                'sloth_slo="requests-availability"}')
SLOTH_PAGE = f'''(
    (slo:sli_error:ratio_rate5m{SLOTH_FILTER} > (14.4 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate1h{SLOTH_FILTER} > (14.4 * 0.0009999999999999432))
)
or ignoring (sloth_window)
(
    (slo:sli_error:ratio_rate30m{SLOTH_FILTER} > (6 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate6h{SLOTH_FILTER} > (6 * 0.0009999999999999432))
)'''
SLOTH_TICKET = f'''(
    (slo:sli_error:ratio_rate2h{SLOTH_FILTER} > (3 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate1d{SLOTH_FILTER} > (3 * 0.0009999999999999432))
)
or ignoring (sloth_window)
(
    (slo:sli_error:ratio_rate6h{SLOTH_FILTER} > (1 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate3d{SLOTH_FILTER} > (1 * 0.0009999999999999432))
)'''

CONDITION = re.compile(r"ratio_rate(\w+)(?:\{[^}]*\})? > \(([\d.]+) \* ([\d.]+)\)")

# The same SLO in obsgen: service myservice, 99.9% of requests without a 5xx or 429, 30 days.
SAME = SLO(
    service="myservice", name="requests-availability", objective=99.9,
    description="Common SLO based on availability for HTTP request responses.",
    sli=RatioSLI(errors='http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}',
                 total='http_request_duration_seconds_count{job="myservice"}', error_labels={"code": "500"}),
)


def _pairs(expr: str) -> list[tuple[str, str, float, float]]:
    """(short, long, factor, budget) of every and-ed window pair of a burn-rate alert expression."""
    found = [(window, float(factor), float(budget)) for window, factor, budget in CONDITION.findall(expr)]
    pairs = []
    for first, second in zip(found[::2], found[1::2], strict=True):
        (short, factor, budget), (long, long_factor, long_budget) = sorted(
            (first, second), key=lambda c: SLOTH_SLI_WINDOWS.index(c[0]))
        assert (factor, budget) == (long_factor, long_budget)
        pairs.append((short, long, factor, budget))
    return pairs


def _canonical(node: Any) -> str:
    """An expression's text without redundant parentheses, so equal ASTs compare equal."""
    kind = type(node).__name__
    if kind == "ParenExpr":
        return _canonical(node.expr)
    if kind == "BinaryExpr":
        return f"({_canonical(node.lhs)} {node.op} {_canonical(node.rhs)})"
    return str(node)


def test_the_same_burn_windows_and_factors_as_sloth() -> None:
    _, alerts = expand(SAME, {})
    ours = sorted(pair for alert in alerts for pair in _pairs(alert.condition))
    sloths = sorted(_pairs(SLOTH_PAGE) + _pairs(SLOTH_TICKET))
    assert [(short, long, factor) for short, long, factor, _ in ours] == \
        [(short, long, factor) for short, long, factor, _ in sloths] == \
        sorted([("5m", "1h", 14.4), ("30m", "6h", 6), ("2h", "1d", 3), ("6h", "3d", 1)])
    assert all(math.isclose(ours_budget, sloth_budget, rel_tol=1e-12) and ours_budget == 0.001
               for (*_, ours_budget), (*_, sloth_budget) in zip(ours, sloths, strict=True))


def test_page_and_ticket_split_the_windows_as_sloth_does() -> None:
    _, alerts = expand(SAME, {})
    severities = {alert.labels["window"]: alert.severity for alert in alerts if "window" in alert.labels}
    assert {long for _, long, _, _ in _pairs(SLOTH_PAGE)} == {w for w, s in severities.items() if s == "critical"}
    assert {long for _, long, _, _ in _pairs(SLOTH_TICKET)} == {w for w, s in severities.items() if s == "warning"}


def test_the_same_recorded_sli_windows_and_expressions_as_sloth() -> None:
    assert [*SAME.ratio_windows, SAME.window] == SLOTH_SLI_WINDOWS
    rules, _ = expand(SAME, {})
    by_name = {rule.name: rule.expr for rule in rules}
    ours_1h = by_name[SAME.error_ratio_record("1h")]
    sloth_errors, sloth_events = SLOTH_SLI_1H.split("\n/\n")  # ours: no sample over a window without events
    assert _canonical(parse(ours_1h)) == _canonical(parse(f"{sloth_errors} / ({sloth_events} > 0)"))
    sloth_5m = SLOTH_SLI_1H.replace("[1h]", "[5m]")
    rates = (by_name[SAME.record("error_events", "rate5m")], by_name[SAME.record("events", "rate5m")])
    assert _canonical(parse(f"({rates[0]}) / ({rates[1]})")) == _canonical(parse(sloth_5m))
    assert SLOTH_ERROR_QUERY.replace("{{.window}}", "1h") in ours_1h
    assert SLOTH_TOTAL_QUERY.replace("{{.window}}", "1h") in ours_1h


def test_rule_count_beside_sloths() -> None:
    rules, alerts = expand(SAME, {})
    assert len(SLOTH_RECORDS) + SLOTH_ALERTS == 17
    # 8 SLI ratios + 2 event rates + 4 budget series; 4 burn alerts and the inputs' absent alert, which Sloth lacks
    assert (len(rules), len(alerts)) == (14, 5)
