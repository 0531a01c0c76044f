"""SLO and SLI models: validated at construction, with messages that say how to fix the definition."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generator.model import SLO, BoolGaugeSLI, BurnWindow, LatencySLI, Metric, MetricType, RatioSLI, SLOAlerting, Source
from generator.model.sli import Feed

LATENCY = Metric(name="http_request_duration_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION,
                 help="Request latency.", labels=("service",), buckets=(0.1, 0.25, 0.5, 1))
CHECKOUT = RatioSLI(errors='http_requests_total{service="checkout",status=~"5.."}',
                    total='http_requests_total{service="checkout"}', error_labels={"status": "500"})


def _slo(**fields: object) -> SLO:
    defaults: dict[str, object] = {"service": "checkout", "name": "availability", "objective": 99.9,
                                   "description": "Checkout answers", "sli": CHECKOUT}
    return SLO(**{**defaults, **fields})


def test_google_factors_over_30_days_are_14_4_6_3_1() -> None:
    slo = _slo()
    assert [burn.factor(slo.window) for burn in slo.alerting.windows] == [14.4, 6, 3, 1]


def test_factors_scale_with_the_window_as_sloth_does_for_28_days() -> None:
    # Sloth's internal/alert/windows/google-28d.yaml keeps 2/5/10/10% with the same windows.
    slo = _slo(window="28d")
    assert [burn.factor(slo.window) for burn in slo.alerting.windows] == [13.44, 5.6, 2.8, 0.9333333333]


def test_budget_has_no_binary_noise() -> None:
    assert _slo(objective=99.9).budget == 0.001
    assert _slo(objective=99.95).budget == 0.0005


def test_latency_threshold_must_be_a_bucket_boundary() -> None:
    with pytest.raises(ValidationError, match=r"threshold 0.3 is not a bucket boundary .*0.1, 0.25, 0.5, 1"):
        LatencySLI(histogram=LATENCY, threshold=0.3)
    assert LatencySLI(histogram=LATENCY, threshold=0.25).threshold == 0.25


def test_latency_sli_needs_a_histogram_and_its_labels() -> None:
    gauge = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="Jobs.")
    with pytest.raises(ValidationError, match="needs a histogram"):
        LatencySLI(histogram=gauge, threshold=1)
    with pytest.raises(ValidationError, match="has no label 'endpoint'"):
        LatencySLI(histogram=LATENCY, threshold=1, matchers={"endpoint": "/"})


def test_integral_bucket_bounds_match_both_prometheus_spellings() -> None:
    sli = LatencySLI(histogram=LATENCY, threshold=1)
    assert 'le=~"1|1\\\\.0"' in sli.error_rate("5m")


def test_an_objective_whose_fast_burn_needs_more_than_all_events_failing_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"14.4x burn of a 93% objective needs an error ratio of 1.008"):
        _slo(objective=93)


def test_burn_windows_must_fit_in_the_slo_window() -> None:
    with pytest.raises(ValidationError, match="burn window 3d must be shorter than the SLO window 2d"):
        _slo(window="2d")
    with pytest.raises(ValidationError, match="short window 2h must be shorter than long window 1h"):
        BurnWindow(urgency="page", long="1h", short="2h", budget_percent=2)


def test_ratio_selectors_are_plain_selectors() -> None:
    with pytest.raises(ValidationError, match="must be a plain series selector"):
        RatioSLI(errors="rate(errors_total[5m])", total="requests_total")
    with pytest.raises(ValidationError, match=r"either errors .* or good"):
        RatioSLI(errors="errors_total", good="ok_total", total="requests_total")


def test_a_regex_hiding_the_failing_series_asks_for_its_labels() -> None:
    with pytest.raises(ValidationError, match=r"give error_labels=\{...\}"):
        RatioSLI(errors='http_requests_total{status=~"5.."}', total="http_requests_total")


def test_test_series_split_one_counter_into_failing_and_succeeding_series() -> None:
    series = {s.selector: s.feed for s in CHECKOUT.test_series()}
    assert series == {'http_requests_total{service="checkout",status="500"}': Feed.BAD,
                      'http_requests_total{service="checkout"}': Feed.GOOD}


def test_test_series_of_two_counters_and_of_a_gauge() -> None:
    ratio = RatioSLI(errors="alertmanager_notifications_failed_total", total="alertmanager_notifications_total")
    assert [(s.selector, s.feed) for s in ratio.test_series()] == [
        ("alertmanager_notifications_failed_total", Feed.BAD), ("alertmanager_notifications_total", Feed.ALL)]
    gauge = BoolGaugeSLI(gauge='up{job=~"a|b"}', test_labels={"job": "a"})
    assert [(s.selector, s.feed) for s in gauge.test_series()] == [('up{job="a"}', Feed.GOOD_SHARE)]
    with pytest.raises(ValidationError, match="give test_labels"):
        BoolGaugeSLI(gauge='up{job=~"a|b"}')


def test_names_follow_level_metric_operation_and_alerts_are_camel_case() -> None:
    slo = _slo(service="metrics-pipeline", name="rule-evaluations")
    assert slo.error_ratio_record("1h") == "slo:metrics_pipeline_rule_evaluations_sli_error:ratio_rate1h"
    assert slo.alert(slo.alerting.windows[0]) == "MetricsPipelineRuleEvaluationsBudgetBurn1h"
    assert _slo(alert_name="Checkout").alert(slo.alerting.windows[2]) == "CheckoutBudgetBurn1d"


def test_labels_obsgen_sets_are_reserved() -> None:
    with pytest.raises(ValidationError, match="'window' is invalid or set by obsgen"):
        _slo(labels={"window": "x"})


def test_custom_windows_give_their_own_ratio_windows() -> None:
    windows = (BurnWindow(urgency="page", long="30m", short="2m", budget_percent=1),
               BurnWindow(urgency="ticket", long="12h", short="1h", budget_percent=5))
    slo = _slo(alerting=SLOAlerting(windows=windows))
    assert slo.ratio_windows == ("2m", "5m", "30m", "1h", "12h")
    assert [burn.factor(slo.window) for burn in windows] == [14.4, 3]
