"""The demo history draws a healthy night: every watched series inside the band its alerts and panels allow,
except while the alert's synthetic episode says it fired."""

from __future__ import annotations

import math
from typing import Any

import pytest

from generator.core.duration import parse_seconds
from generator.core.promql import parse
from generator.derive.log_lines import counted, same_lines, threshold
from generator.derive.series import defined_series
from generator.live.demo_bounds import Band, constant, shown, watched_bounds
from generator.live.demo_derived import arithmetic
from generator.live.demo_history import Series, _seed, breaches, episodes, series_for, timestamps
from generator.live.demo_labels import POOLS
from generator.live.demo_levels import FAILING_SHARE, Level, averaged, failing_share
from generator.live.demo_logs import log_breaches, log_episodes, log_series
from generator.model import LogAlert, LogRecordingRule
from generator.model.project import Project
from generator.preview.source import dashboards
from tests.conftest import DEMO_NOW, ROOT


@pytest.fixture(scope="module")
def demo_series(project: Project) -> list[Series]:
    names = set().union(*(d.series_read() for d in dashboards(ROOT / "out" / "grafana")))
    return series_for(names, project, DEMO_NOW)


def _values(series: list[Series], name: str, at: float) -> list[float]:
    return [value(at) for found, _, value in series if found == name]


def test_a_threshold_is_carried_through_arithmetic_onto_the_series_it_shows() -> None:
    found = shown(parse('100 * node_filesystem_avail_bytes{fstype!~"tmpfs"} / node_filesystem_size_bytes'))
    assert found is not None
    subject, inverse, flips = found
    assert (subject.name, subject.kind, subject.denominator) == ("node_filesystem_avail_bytes", "share",
                                                                "node_filesystem_size_bytes")
    assert inverse(5) == pytest.approx(0.05) and not flips
    sli = shown(parse("1 - (slo:x_sli_error:ratio_rate5m or on () vector(0))"))
    assert sli is not None and sli[2] and sli[1](0.999) == pytest.approx(0.001)


def test_increase_is_watched_as_a_rate_and_constants_fold() -> None:
    found = shown(parse("increase(prometheus_tsdb_reloads_failures_total[5m])"))
    assert found is not None and found[0].kind == "rate" and found[1](300) == pytest.approx(1)
    assert constant(parse("(14.4 * 0.001)")) == pytest.approx(0.0144)
    # a count of the last hour, rounded (Alerts Overview's Notifications Failing, red from 1)
    counted = shown(parse("round(sum(increase(alertmanager_notifications_failed_total[1h]))) or vector(0)"))
    assert counted is not None and counted[0].kind == "rate" and counted[1](1) == pytest.approx(1 / 3600)
    assert constant(parse("vector(0.999)")) == pytest.approx(0.999)


def test_a_guard_on_the_right_of_and_is_no_bound(project: Project) -> None:
    # ConversionRateLow applies only with >= 40 sessions a minute: that is no ceiling on traffic
    assert not any(s.name == "sales_sessions_total" for s in watched_bounds(project).bands)


def test_every_watched_gauge_is_inside_its_band_on_the_quiet_night(project: Project,
                                                                     demo_series: list[Series]) -> None:
    bounds = watched_bounds(project)
    checked = 0
    for name, labels, value in demo_series:
        found = bounds.band(name, "value", labels)
        if found is None or name.endswith(("_bucket", "_count", "_sum")):
            continue
        band, _ = found
        for at in range(DEMO_NOW - 3600, DEMO_NOW + 1, 300):  # no episode in the last hour
            v = value(at)
            assert (band.lower is None or v >= band.lower) and (band.upper is None or v <= band.upper), \
                f"{name}{labels} = {v} at {at}, outside {band}"
        checked += 1
    assert checked > 50


def test_what_the_old_pictures_got_wrong_now_reads_healthy(demo_series: list[Series]) -> None:
    disk = [v(DEMO_NOW) for n, labels, v in demo_series
            if n == "obsgen_capacity_seconds_to_exhaustion" and labels["forecast"] == "disk_free"]
    assert min(disk) > 7 * 86400  # days, not the old 0.2 s
    assert max(_values(demo_series, "obsgen_anomaly_score", DEMO_NOW)) < 1
    assert _values(demo_series, "slo:checkout_availability_objective:ratio", DEMO_NOW) == [0.999]
    assert 0 < max(_values(demo_series, "service:http_errors:ratio_rate5m", DEMO_NOW)) < 0.01
    assert all(0.5 <= v <= 1 for v in _values(demo_series, "slo:api_latency_period_error_budget_remaining:ratio",
                                              DEMO_NOW))


def test_an_alert_episode_puts_its_series_past_its_threshold(project: Project, demo_series: list[Series]) -> None:
    start, end = episodes(project, DEMO_NOW)["CpuHigh"]
    assert max(_values(demo_series, "instance:cpu_usage:percent", (start + end) / 2)) > 90
    # past it from its `for` (5m) and its window (5m) before the episode (breaches), not before
    assert max(_values(demo_series, "instance:cpu_usage:percent", start - 900)) < 90
    failures = [v for n, _, v in demo_series if n == "prometheus_rule_evaluation_failures_total"]
    firing = episodes(project, DEMO_NOW)
    start, end = breaches(project, firing)["PrometheusRuleEvaluationFailures"]
    assert start < firing["PrometheusRuleEvaluationFailures"][0] - 900  # its `for: 15m` passes before it fires
    # counting during the breach only (the rule-evaluation SLO's burn episodes, hours earlier, count failures too)
    assert all(f(start - 1) == f(start - 3600) and f(end) > f(start) for f in failures)


def test_the_same_history_comes_out_of_every_run(project: Project, demo_series: list[Series]) -> None:
    names = {name for name, _, _ in demo_series if not name.endswith(("_bucket", "_count", "_sum"))}
    again = series_for(names, project, DEMO_NOW)
    first = {(n, tuple(sorted(labels.items()))): v(DEMO_NOW - 1234) for n, labels, v in demo_series if n in names}
    second = {(n, tuple(sorted(labels.items()))): v(DEMO_NOW - 1234) for n, labels, v in again}
    assert first.keys() == second.keys()
    assert all(first[k] == second[k] or (math.isnan(first[k]) and math.isnan(second[k])) for k in first)


def test_an_average_over_a_day_or_more_does_not_swing_with_the_day(demo_series: list[Series]) -> None:
    day = [_values(demo_series, "slo:checkout_availability_sli_error:ratio_rate30d", DEMO_NOW - hour * 3600)[0]
           for hour in range(24)]
    five_minutes = [_values(demo_series, "slo:checkout_availability_sli_error:ratio_rate5m",
                            DEMO_NOW - 26 * 3600 + hour * 3600)[0] for hour in range(24)]
    assert max(day) == pytest.approx(min(day)) and max(five_minutes) > 1.2 * min(five_minutes)
    assert averaged(Level(1.0, 0.5), 300).swing == pytest.approx(0.5, rel=1e-4)
    assert averaged(Level(1.0, 0.5), 6 * 3600).swing == pytest.approx(0.5 * 0.9003, rel=1e-3)  # sinc(pi/4)


@pytest.mark.parametrize(("expr", "derived"), [
    ("slo:a:ratio / 0.001", ("slo:a:ratio", 2.0)),
    ("1 - slo:a:ratio", ("slo:a:ratio", 0.998)),
    ("-(slo:a:ratio * 2) + 3", ("slo:a:ratio", 2.996)),
    ("slo:a:ratio / 0", ("slo:a:ratio", math.inf)),
    ("(slo:a:ratio - 0.002) / 0", ("slo:a:ratio", math.nan)),
    ("slo:a:ratio / on () slo:b:ratio", None),  # two series
    ('slo:a:ratio{x="1"} * 2', None),  # a filter: not the whole series
    ("slo:a:ratio > 0.5", None),  # a comparison filters
    ("rate(x[5m]) * 2", None),  # not a recorded series
])
def test_a_rule_of_arithmetic_on_one_recorded_series_is_computed_from_it(expr: str, derived: Any) -> None:
    found = arithmetic(expr, {"slo:a:ratio": None, "slo:b:ratio": None})
    if derived is None:
        assert found is None
        return
    assert found is not None and found[0] == derived[0]
    value = found[1](0.002)
    assert (math.isnan(value) and math.isnan(derived[1])) or value == pytest.approx(derived[1])


def _rate_now(value: Any) -> float:
    return float((value(DEMO_NOW) - value(DEMO_NOW - 600)) / 600)


def test_a_histograms_failing_requests_are_a_healthy_share_of_its_count(demo_series: list[Series]) -> None:
    # GrafanaRequestsFailing watches x_count{status_code=~"5.."} / x_count above 50%: its 5xx were drawn at the
    # whole's rate (90% of requests failing) while its bounds were looked up under the family's bare name
    counts = [(labels, value) for name, labels, value in demo_series
              if name == "grafana_http_request_duration_seconds_count"]
    for handler in {labels["handler"] for labels, _ in counts}:
        rates = {labels["status_code"]: _rate_now(v) for labels, v in counts if labels["handler"] == handler}
        assert 0 < rates["500"] / (rates["500"] + rates["200"]) < 0.01


def test_a_failing_share_under_a_loose_ceiling_stays_a_fraction_of_a_percent() -> None:
    assert failing_share(Band(upper=0.5)) == pytest.approx(FAILING_SHARE)  # not 10% of requests failing
    assert failing_share(Band(upper=0.01)) == pytest.approx(0.002)  # a tight line keeps BELOW_LIMIT of it
    assert failing_share(Band(lower=0.9)) > 0.9  # a share held up (hits of lookups) is no failing part


def test_a_count_compared_with_a_count_of_its_targets_takes_that_count(project: Project,
                                                                        demo_series: list[Series]) -> None:
    # AlertmanagerMembersInconsistent: members < on (job) group_left count by (job) (members), two Alertmanagers
    alertmanagers = next(len(job.targets) for job in project.scrape_jobs if job.name == "alertmanager")
    found = watched_bounds(project).band("alertmanager_cluster_members", "value")
    assert found is not None and found[0].lower == alertmanagers == 2
    assert _values(demo_series, "alertmanager_cluster_members", DEMO_NOW) == [2.0, 2.0]


def test_a_series_compared_with_another_is_a_share_of_it(demo_series: list[Series]) -> None:
    # PrometheusNotificationQueueRunningFull: predict_linear(length[5m], 1800) > min_over_time(capacity[5m])
    found = shown(parse("predict_linear(prometheus_notifications_queue_length[5m], 60 * 30)"))
    assert found is not None and found[0].name == "prometheus_notifications_queue_length"
    for at in range(DEMO_NOW - 3600, DEMO_NOW + 1, 600):
        queued, = _values(demo_series, "prometheus_notifications_queue_length", at)
        capacity, = _values(demo_series, "prometheus_notifications_queue_capacity", at)
        assert 0 < queued < 0.5 * capacity


@pytest.mark.parametrize("name", ["loki_prometheus_rule_evaluation_failures_total", "tempo_discarded_spans_total",
                                  "loki_discarded_samples_total", "otelcol_receiver_refused_spans_total",
                                  "otelcol_exporter_send_failed_spans_total",
                                  "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total"])
def test_a_failure_counter_watched_by_more_than_none_counts_none(demo_series: list[Series], name: str) -> None:
    counters = [v for found, _, v in demo_series if found == name]
    assert counters and all(_rate_now(v) == 0 for v in counters)


def test_the_notification_queue_reads_as_a_healthy_prometheus(project: Project, demo_series: list[Series]) -> None:
    # Meta-monitoring's Notification Queue panel drew 500-800 dropped, a capacity of 4.5 and one Alertmanager
    firing = episodes(project, DEMO_NOW)
    start, end = breaches(project, firing)["PrometheusNotificationsDropped"]
    dropped, = [v for n, _, v in demo_series if n == "prometheus_notifications_dropped_total"]
    assert dropped(start - 1) == dropped(DEMO_NOW - 8 * 86400) and dropped(DEMO_NOW) == dropped(end)
    assert dropped(end) > dropped(start)  # its alert's episode drops alerts
    for at in range(DEMO_NOW - 3600, DEMO_NOW + 1, 600):
        assert _values(demo_series, "prometheus_notifications_queue_capacity", at) == [10000.0]  # the examples'
        queued, = _values(demo_series, "prometheus_notifications_queue_length", at)
        assert 0 < queued < 100
        assert _values(demo_series, "prometheus_notifications_alertmanagers_discovered", at) == [
            float(len(project.stack.alertmanagers))]


def test_each_alertmanager_the_definitions_send_to_has_its_series(project: Project, demo_series: list[Series]) -> None:
    # Prometheus to Alertmanager Errors and the Loki Ruler's sends drew one line, for an address nothing sends to
    urls = {f"http://{address}/api/v2/alerts" for address in project.stack.alertmanagers}
    assert len(urls) == 2
    drawn: dict[str, set[str]] = {}
    for name, labels, _ in demo_series:
        if "alertmanager" in labels:
            drawn.setdefault(name, set()).add(labels["alertmanager"])
    assert {"prometheus_notifications_errors_total", "loki_prometheus_notifications_errors_total"} <= set(drawn)
    assert drawn == dict.fromkeys(drawn, urls)


def test_a_gauge_counting_things_holds_whole_numbers_and_its_alert_still_fires(project: Project,
                                                                                demo_series: list[Series]) -> None:
    # Meta-monitoring's Failing Queries (decimals=0) drew failed runs in a row as 0.2 to 0.6, which no axis labels
    declared = {n for n, metric in defined_series(project).items() if getattr(metric, "whole", False)}
    counting = {"obsgen_query_consecutive_failures", "prometheus_notifications_queue_length"} | declared
    fractions = {name: at for name, _, value in demo_series if name in counting for at in timestamps(DEMO_NOW)
                 if not float(value(at)).is_integer()}
    assert fractions == {}, "fractions of a count (series: a time it has one)"
    assert counting == declared  # each declares it (Metric.whole)
    failures = [value for name, _, value in demo_series if name == "obsgen_query_consecutive_failures"]
    quiet = [at for at in timestamps(DEMO_NOW) if at >= DEMO_NOW - 3600]
    assert failures and all(value(at) == 0 for value in failures for at in quiet)  # healthy: no failed run
    assert ">= 2" in project.alerts["BusinessQueryFailing"].condition
    start, end = episodes(project, DEMO_NOW)["BusinessQueryFailing"]
    for value in failures:  # a failed run a minute: 1, 2 before the episode, past 2 all through it, then a success
        steps = [value(at) for at in range(start - 120, end, 60)]
        assert steps[:3] == [1, 2, 3] and steps == list(range(1, len(steps) + 1))
        assert value(end) == 0


def test_log_line_rates_carry_their_service_and_stay_under_the_log_alerts(demo_series: list[Series],
                                                                         project: Project) -> None:
    """Operations' Error Log Lines read ~72 lines a second with an empty legend: the demo drew Loki's recorded rates
    once per scrape target (job, instance; no service_name) at an unwatched count of ~5 each, 430 times what
    ApiErrorLogsHigh allows (50 errors in 5 minutes), so the panel showed an incident the alert history did not.
    Outside the log alerts' breaches (the episodes below)."""
    held = log_breaches(project, log_episodes(project, DEMO_NOW)).values()
    quiet = [t for t in timestamps(DEMO_NOW)[::40] if not any(start <= t < end for start, end in held)]
    highest: dict[tuple[str, str | None], float] = {}
    for name, labels, value in demo_series:
        if name.startswith("service:log_"):
            key = (name, labels.get("service_name"))
            highest[key] = max([highest.get(key, 0.0), *(value(t) for t in quiet)])
    assert sorted(highest) == [("service:log_errors:rate5m", "api"), ("service:log_errors:rate5m", "rag-engine"),
                               ("service:log_timeouts:rate10m", "rag-engine")]
    assert 0 < highest[("service:log_errors:rate5m", "api")] < 50 / 300  # ApiErrorLogsHigh: > 50 in 5 minutes
    assert 0 < highest[("service:log_timeouts:rate10m", "rag-engine")] < 20 / 600  # RagEngineTimeouts: > 20 in 10m


def test_each_log_alert_has_its_alerts_series_while_it_fires(project: Project) -> None:
    """Loki's ruler remote-writes its alerting rules' ALERTS samples to Prometheus with its recordings' (its rules
    manager appends both to the one storage); the demo drew ALERTS for the PromQL alerts only, so Alerts Firing
    Now and the alert lists missed the log alerts' episodes."""
    firing = log_episodes(project, DEMO_NOW)
    drawn = {labels["alertname"]: (labels, value) for name, labels, value in series_for({"ALERTS"}, project, DEMO_NOW)}
    for alert in project.all(LogAlert):
        labels, value = drawn[alert.name]
        assert (labels["alertstate"], labels["severity"]) == ("firing", alert.severity)
        start, end = firing[alert.name]
        assert value(start) == value(end - 15) == 1.0
        assert math.isnan(value(start - 15)) and math.isnan(value(end)), alert.name


def test_each_log_alert_fires_and_resolves_in_its_episode(project: Project) -> None:
    """Log alerts never fired in the demo: its episodes covered the PromQL alerts only. Each shipped log alert's
    lines, as the recording its panel plots draws them, are past its LogQL threshold (in the alert's unit: the
    recorded rate times its count's window) from its `for` before its episode to the episode's end, and under it
    before and once the episode and the alert's window are over."""
    firing = log_episodes(project, DEMO_NOW)
    held = log_breaches(project, firing)
    alerts = {alert.name: alert for alert in project.all(LogAlert)}
    assert sorted(firing) == sorted(alerts) == ["ApiErrorLogsHigh", "RagEngineTimeouts"]
    for name, alert in alerts.items():
        counts, limit = counted(alert.expr), threshold(alert.expr)
        assert counts is not None and limit is not None and limit[0] == ">"
        start, end = firing[name]
        assert held[name][0] > DEMO_NOW - 26 * 3600 and end < DEMO_NOW - 3600  # the last day, not the quiet hour
        drawn = []
        for rule in project.all(LogRecordingRule):
            plotted = counted(rule.expr)
            assert plotted is not None
            if same_lines(counts, plotted):
                drawn += [(value, plotted) for _, labels, value in log_series(rule, project, POOLS, _seed, held)
                          if all(labels.get(m.label) == m.value for m in counts.selector if m.label in labels)]
        assert drawn, f"{name}: no recording draws its lines"
        wait, window = parse_seconds(alert.for_), int(counts.window)
        for value, plotted in drawn:
            scale = counts.per_second / plotted.per_second  # the recorded value in the alert's unit
            above = [value(t) * scale > limit[1] for t in range(int(start - wait), end, 15)]
            assert all(above) and len(above) * 15 > wait, (name, above.count(False))
            after = [value(t) * scale for t in range(end + window, end + window + 3600, 60)]
            before = [value(t) * scale for t in range(held[name][0] - 3600, held[name][0], 60)]
            assert max(after + before) < limit[1], name
