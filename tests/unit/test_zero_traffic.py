"""A quiet night (counters there, flat): the recorded ratios have no sample instead of 0/0 = NaN.

NaN is a sample: `x or 0 * events` keeps it (the SLO panels' fallback to 0 never applied and they showed NaN),
max() over services returns it when every one is quiet, and an avg_over_time over it is NaN. Comparisons with
NaN are false, so the alerts read the same either way (silent on no traffic); this is about what is recorded and
shown. The 30-day burn math sums 5m event rates, which are 0, not NaN, on a quiet night: a quiet stretch leaves
the window's ratio defined once traffic is back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from definitions.slos import SLOS
from tests.servers import promtool_test

RULES = Path(__file__).resolve().parents[2] / "out" / "prometheus" / "rules"
CHECKOUT = next(slo for slo in SLOS if slo.service == "checkout")
CHECKOUT_LABELS = '{service="checkout",slo="availability"}'
SERVER_SPANS = ('traces_span_metrics_calls_total'
                '{service_name="api",http_route="/api/checkout",span_kind="SPAN_KIND_SERVER"')
QUIET = {  # each series exists (counted before the night) and does not move, the failures' too: 0 / 0
    'http_requests_total{service="api",endpoint="/api/checkout",method="POST",status="200"}': "100x40",
    'http_requests_total{service="api",endpoint="/api/checkout",method="POST",status="500"}': "2x40",
    'sales_sessions_total{job="shop",user_segment="new"}': "50x40",
    'sales_conversions_total{job="shop",product_category="books",user_segment="new"}': "5x40",
    'carts_created_total{job="shop"}': "7x40",
    'carts_abandoned_total{job="shop"}': "4x40",
    'cache_requests_total{cache_type="page",result="miss"}': "9x40",
    'cache_requests_total{cache_type="page",result="hit"}': "30x40",
    SERVER_SPANS + ',status_code="STATUS_CODE_UNSET"}': "3x40",
    SERVER_SPANS + ',status_code="STATUS_CODE_ERROR"}': "1x40",
}
NO_SAMPLE = ("job:conversion_rate:ratio_rate10m", "service:http_errors:ratio_rate5m",
             "job:cart_abandonment:ratio_rate1h", "cache_type:cache_hit:ratio_rate5m",
             "service_route:traces_span_errors:ratio_rate5m",
             CHECKOUT.error_ratio_record("5m"), CHECKOUT.error_ratio_record(CHECKOUT.window))


def _test(series: dict[str, str], checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rule_files": [str(RULES / "recording.yml"), str(RULES / "slo-checkout-availability.yml")],
            "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series.items()],
                       "promql_expr_test": checks}]}


def test_a_quiet_night_records_no_ratio_and_the_slo_panels_read_no_burn(tmp_path: Path) -> None:
    checks: list[dict[str, Any]] = [{"expr": name, "eval_time": "30m", "exp_samples": []} for name in NO_SAMPLE]
    checks += [  # the SLO Overview's current burn rate and budget remaining, as its panels query them
        {"expr": f"{CHECKOUT.error_ratio_shown('5m')} / {CHECKOUT.budget}", "eval_time": "30m",
         "exp_samples": [{"labels": CHECKOUT_LABELS, "value": 0}]},
        {"expr": f"1 - {CHECKOUT.error_ratio_shown(CHECKOUT.window)}", "eval_time": "30m",
         "exp_samples": [{"labels": CHECKOUT_LABELS, "value": 1}]},
    ]
    ran = promtool_test(_test(QUIET, checks), tmp_path / "quiet.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr


LATENCY = next(slo for slo in SLOS if slo.service == "api" and slo.name == "latency")
LATENCY_LABELS = '{service="api",slo="latency"}'
HISTOGRAM = 'http_request_duration_seconds_{}{{service="api",endpoint="/api/checkout",method="POST",status="200"{}}}'


def test_a_window_without_events_records_no_ratio_and_its_burn_panel_reads_0(tmp_path: Path) -> None:
    """The burn windows' ratios (30m to 3d) are ratios of the inputs' rates, not of the recorded 5m rates: quiet for
    the whole window, they were 0/0 = NaN, and the SLO Overview's burn rate per window showed NaN, not 0."""
    quiet = {**QUIET, HISTOGRAM.format("count", ""): "80x40", HISTOGRAM.format("bucket", ',le="0.25"'): "75x40",
             HISTOGRAM.format("bucket", ',le="+Inf"'): "80x40"}
    checks: list[dict[str, Any]] = []
    for slo, labels in ((CHECKOUT, CHECKOUT_LABELS), (LATENCY, LATENCY_LABELS)):
        for window in slo.ratio_windows:
            checks += [{"expr": slo.error_ratio_record(window), "eval_time": "30m", "exp_samples": []},
                       {"expr": f"{slo.error_ratio_shown(window)} / {slo.budget}", "eval_time": "30m",
                        "exp_samples": [{"labels": labels, "value": 0}]}]
    document = _test(quiet, checks)
    document["rule_files"].append(str(RULES / "slo-api-latency.yml"))
    ran = promtool_test(document, tmp_path / "windows.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_slo_windows_ratio_is_defined_again_once_traffic_is_back_after_a_quiet_stretch(tmp_path: Path) -> None:
    # 10 minutes of 100 requests a minute, 1 failing; 15 quiet minutes; 10 minutes as before
    requests = "0+100x10 1000x15 1000+100x10"
    failures = "0+1x10 10x15 10+1x10"
    route = 'http_requests_total{service="api",endpoint="/api/checkout",method="POST",status='
    series = {route + '"200"}': requests, route + '"500"}': failures}
    checks = [{"expr": f"round({CHECKOUT.error_ratio_record(CHECKOUT.window)}, 0.001)", "eval_time": "35m",
               "exp_samples": [{"labels": CHECKOUT_LABELS, "value": 0.01}]}]
    ran = promtool_test(_test(series, checks), tmp_path / "back.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
