"""The sidecar exporter's own series (forecasts, bands, anomaly scores, capacity, self-metrics) and alerts on them.

Every forecast output carries a ``forecast`` label (the Forecast's name) plus the labels of the series
it was learnt from, without its metric name (a series' own ``forecast``, ``resource``, ``severity`` or ``message``
is kept as ``exported_<label>``); every self-metric carries the ``query`` (business metric or forecast name).
"""

from __future__ import annotations

import math

from generator.core.duration import format_seconds, parse_seconds
from generator.library import on_dashboard
from generator.model import Alert, Example, Metric, MetricType, Source

GAUGE, COUNTER, HISTOGRAM = MetricType.GAUGE, MetricType.COUNTER, MetricType.HISTOGRAM
SIDECAR = Source.SIDECAR
QUERY_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _forecast_gauge(name: str, help: str, unit: str = "") -> Metric:
    return Metric(name=name, type=GAUGE, source=SIDECAR, help=help, unit=unit, labels=("forecast",))


FORECAST_METRICS = (
    _forecast_gauge("obsgen_forecast", "Value expected for the current step, learnt from the history before it."),
    _forecast_gauge("obsgen_forecast_lower", "Lower edge of the prediction band for the current step."),
    _forecast_gauge("obsgen_forecast_upper", "Upper edge of the prediction band for the current step."),
    _forecast_gauge("obsgen_forecast_at_horizon", "Value expected one horizon after the newest sample."),
    _forecast_gauge("obsgen_forecast_origin_timestamp_seconds",
                    "Time of the newest sample the forecast learnt from.", "seconds"),
    _forecast_gauge("obsgen_anomaly_zscore",
                    "Robust z-score of the newest sample against its one-step forecast (MAD of past residuals)."),
    _forecast_gauge("obsgen_anomaly_score",
                    "Newest sample's anomaly score (forecast residual, range and pattern novelty); > 1 is anomalous."),
    _forecast_gauge("obsgen_capacity_seconds_to_exhaustion",
                    "Seconds until the series' trend reaches its capacity limit (+Inf: never).", "seconds"),
    Metric(name="obsgen_recommendation_info", type=GAUGE, source=SIDECAR,
           help="A capacity recommendation, always 1; the finding is in its labels.",
           labels=("forecast", "resource", "severity", "message")),
)
ON_ITS_DATABASE = ("; database: the one a SQL query reads (a forecast's is empty, which Prometheus stores as no "
                   "database label)")
"""Every series of a job carries its database, so errors and durations break down by database and join
obsgen_database_up; the label is empty for a forecast, and Prometheus drops an empty label at ingestion."""
SELF_METRICS = (
    Metric(name="obsgen_query_duration_seconds", type=HISTOGRAM, source=SIDECAR, unit="seconds",
           help="Duration of each run of a SQL query or forecast" + ON_ITS_DATABASE + ".",
           labels=("query", "database"), buckets=QUERY_DURATION_BUCKETS),
    Metric(name="obsgen_query_runs_total", type=COUNTER, source=SIDECAR,
           help="Runs of each SQL query or forecast by outcome (status: success, error, timeout)" + ON_ITS_DATABASE
                + ".",
           labels=("query", "database", "status")),
    Metric(name="obsgen_query_runs_missed_total", type=COUNTER, source=SIDECAR,
           help="Runs of each SQL query or forecast not started because its previous run was still going "
                "(as Prometheus' own prometheus_rule_group_iterations_missed_total)" + ON_ITS_DATABASE + ".",
           labels=("query", "database")),
    Metric(name="obsgen_query_last_success_timestamp_seconds", type=GAUGE, source=SIDECAR, unit="seconds",
           help="Start of the last successful run of each SQL query or forecast (:now of its SQL)" + ON_ITS_DATABASE
                + ".",
           labels=("query", "database")),
    Metric(name="obsgen_query_consecutive_failures", type=GAUGE, source=SIDECAR,
           help="Runs of each SQL query or forecast that failed or timed out since its last success (0 after one)"
                + ON_ITS_DATABASE + ".",
           labels=("query", "database"), whole=True),
    Metric(name="obsgen_database_up", type=GAUGE, source=SIDECAR,
           help="1 if the last connection to the database succeeded.", labels=("database",)),
    Metric(name="obsgen_prometheus_up", type=GAUGE, source=SIDECAR,
           help="1 if the last query_range to the forecasts' Prometheus succeeded."),
)
EXPORTER_METRICS = FORECAST_METRICS + SELF_METRICS


WHAT_RUNS_OUT = "{{ $labels.forecast }}{{ with $labels.mountpoint }} {{ . }}{{ end }} on {{ $labels.instance }}"
"""The series a capacity alert is about: a filesystem forecast names its mountpoint (two on one host otherwise read
the same), any forecast its instance."""


def predictive_alerts(for_: str = "10m", capacity_within: str = "24h", dashboard: str = "") -> tuple[Alert, ...]:
    """An anomaly alert on the exporter's anomaly score and a capacity alert on the time to exhaustion, opening
    `dashboard` (the panel of it reading obsgen_anomaly_score or obsgen_capacity_seconds_to_exhaustion).

    The score is the one bench/forecast_nab.py cross-validates on NAB (forecast residual, range and
    pattern novelty): above 1 is anomalous.
    """
    alerts = (
        Alert(
            name="ForecastAnomaly", plan_name="detect_anomalies",
            expr="obsgen_anomaly_score > 1", **{"for": for_}, severity="warning",
            group="predictive",
            summary="{{ $labels.forecast }} is anomalous (score {{ printf \"%.1f\" $value }})",
            description=f"The newest values of {{{{ $labels.forecast }}}} have been unlike what its seasonal "
                        f"forecast and its own history predict for {for_} (anomaly score above 1).",
            runbook="Open the forecast panel of {{ $labels.forecast }}: compare the series with obsgen_forecast and "
                    "its band; a sustained shift after a deploy or a campaign is expected, a sudden drop with "
                    "errors is not. Run `obsgen forecast report` for every series at once.",
            examples=(
                Example(name="a score of 3 for 12 minutes fires", at="12m",
                        series={'obsgen_anomaly_score{forecast="revenue"}': "3x15"},
                        fires=True, labels={"forecast": "revenue"}, value=3),
                Example(name="a score of 3 for 5 minutes is still pending",
                        series={'obsgen_anomaly_score{forecast="revenue"}': "0x5 3x10"}, at="9m", fires=False),
                Example(name="a score of 0.8 never fires",
                        series={'obsgen_anomaly_score{forecast="revenue"}': "0.8x30"}, at="25m", fires=False),
            ),
        ),
        Alert(
            name="CapacityExhaustedSoon", plan_name="predict_capacity_needs",
            expr=f"obsgen_capacity_seconds_to_exhaustion < {parse_seconds(capacity_within):g}", **{"for": "15m"},
            severity="critical", group="predictive",
            summary=f"{WHAT_RUNS_OUT} runs out in {{{{ $value | humanizeDuration }}}} (within {capacity_within})",
            description=f"At its current trend, {WHAT_RUNS_OUT} reaches its limit in "
                        f"{{{{ $value | humanizeDuration }}}}: less than the {capacity_within} this alert warns ahead.",
            runbook="Check the recommendation (obsgen_recommendation_info or `obsgen forecast report`); free or add "
                    "capacity now (clean up, expand the volume, scale out) before the limit is hit. In its first "
                    "season (its first day for a daily one) a series is predicted to reach only a limit within its own "
                    "range (no further beyond its extreme than that is from its other extreme): a growth toward a "
                    "limit further off does not page that first day.",
            examples=(
                Example(name="full in 6 hours fires",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "21600x20"},
                        at="16m", fires=True, labels={"forecast": "disk", "instance": "db-1"}, value=21600),
                Example(name="a filesystem full in 6 hours names its mountpoint", at="16m", fires=True,
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk_free",instance="db-1",'
                                'mountpoint="/data"}': "21600x20"},
                        labels={"forecast": "disk_free", "instance": "db-1", "mountpoint": "/data"}, value=21600),
                Example(name="the exporter restarted (2 minutes without its forecasts) keeps firing", at="20m",
                        fires=True, labels={"forecast": "disk", "instance": "db-1"}, value=21600,
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}':
                                "21600x10 _x2 21600x10"}),
                Example(name="full in 3 days does not",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "259200x20"},
                        at="16m", fires=False),
                Example(name="never full does not",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "+Inf+0x20"},
                        at="16m", fires=False),
            ),
        ),
    )
    return on_dashboard(alerts, dashboard)


SOURCE_DOWN = "(obsgen_database_up == 0 or obsgen_prometheus_up == 0)"
"""A source the exporter cannot reach: a database (database label) or the forecasts' Prometheus (none)."""


def _source_down(name: str, up: str, labels: dict[str, str], severity: str, summary: str, description: str,
                 runbook: str) -> Alert:
    """The exporter unable to reach a source for 5 minutes (its up gauge 0): a restart of the source is not."""
    selector = up + ("{" + ",".join(f'{label}="{value}"' for label, value in labels.items()) + "}" if labels else "")
    return Alert(
        name=name, expr=f"{up} == 0", **{"for": "5m"}, severity=severity, group="meta-monitoring",
        summary=summary, description=description, runbook=runbook,
        examples=(
            Example(name="down for 6 minutes fires", series={selector: "0x10"}, at="6m", fires=True, labels=labels),
            Example(name="a reconnect within 5 minutes does not", series={selector: "0x3 1x7"}, at="6m",
                    fires=False),
            Example(name="the exporter restarted while the source is down (2 minutes unscraped) still fires",
                    series={selector: "0x4 _x2 0x6"}, at="8m", fires=True, labels=labels),
            # its gauge reads 0 from the restart until the first run, seconds later, has reached the source
            Example(name="the exporter's first moment after a restart (0 until its first run) does not",
                    series={selector: "1x5 0 1x6"}, at="8m", fires=False),
        ),
    )


def two_runs(slowest_interval: str) -> str:
    """How long the run counters take to show a job failing or skipping every other run again: two runs of the
    slowest job, and 5 minutes for scrapes and evaluations (never under 15 minutes: one failure now and then of a
    1-minute job must not flap either)."""
    return format_seconds(max(2 * parse_seconds(slowest_interval) + 300, 900))


def exporter_alerts(slowest_interval: str = "1m", dashboard: str = "") -> tuple[Alert, ...]:
    """The sidecar watching itself: a database or a Prometheus it cannot reach, a query or forecast that keeps
    failing while its source is up, or whose runs take longer than its interval (opening `dashboard`).

    `slowest_interval` is the longest interval of the project's business queries and forecasts: their run
    counters change once per run, so the alerts hold and count over two of its runs (check SM007 says when a
    job runs slower than the alerts were made for)."""
    alerts = (
        _source_down(
            "BusinessDatabaseDown", "obsgen_database_up", {"database": "shop"}, "critical",
            summary="The exporter cannot reach database {{ $labels.database }}",
            description="Business metrics read from {{ $labels.database }} are missing: dashboards and alerts on "
                        "them are blind.",
            runbook="Check the database is up and reachable from the exporter; check the DSN variable or file the "
                    "exporter reads, and the exporter's log for the connection error."),
        _source_down(
            "ForecastPrometheusDown", "obsgen_prometheus_up", {}, "warning",
            summary="The exporter cannot query Prometheus for its forecasts",
            description="Forecasts, anomaly scores and capacity predictions are not refreshed: the forecast "
                        "panels go stale and ForecastAnomaly and CapacityExhaustedSoon cannot fire.",
            runbook="Check the Prometheus URL the exporter is given (--prometheus-url or settings.prometheus_url) "
                    "and that it answers from the exporter's network; the exporter's log names the error."),
        _query_failing(slowest_interval),
        _runs_missed(slowest_interval),
    )
    return on_dashboard(alerts, dashboard)


MISSED = "obsgen_query_runs_missed_total"
ON_DATABASE = "{{ with $labels.database }} on database {{ . }}{{ end }}"
"""Which database a SQL query's runs read (a forecast's carry no database label)."""
FAILURES = "obsgen_query_consecutive_failures"


def _minutes(duration: str) -> int:
    return math.ceil(parse_seconds(duration) / 60)


def _query_failing(slowest_interval: str) -> Alert:
    """Two failed runs in a row while the job's source is up, held two runs of the slowest job: a job failing most
    runs does not resolve at each rare success."""
    hold, every = two_runs(slowest_interval), _minutes(slowest_interval)
    held = _minutes(hold)
    orders, slow = f'{FAILURES}{{query="shop_orders_total",database="shop"}}', f'{FAILURES}{{query="slowest"}}'
    return Alert(
        name="BusinessQueryFailing",
        # two runs in a row: one failure is a blip, whatever the job's interval (1 minute or 10); while its
        # database or Prometheus is down, the failure is that outage's, told once by the alert above
        expr=f"{FAILURES} >= 2 unless on (job, instance, database) {SOURCE_DOWN}",
        # a job failing most runs succeeds now and then: each success would resolve it and two more failures,
        # two runs later, fire it again; it resolves once no two failures in a row have come for two runs
        **{"for": "0s"}, keep_firing_for=hold, severity="warning", group="meta-monitoring",
        summary="{{ $labels.query }} failed two runs in a row",
        description=f"Runs of {{{{ $labels.query }}}} keep failing or timing out while its source is up (it "
                    f"resolves after {held} minutes without two failures in a row): the values it serves are those "
                    "of its last success, until they go stale.",
        runbook="Read the exporter's log for the query's error (it names the definition's file and line); fix "
                "the SQL or the PromQL, or raise its timeout.",
        examples=(
            Example(name="two failed runs in a row fire", at="5m", fires=True,
                    labels={"query": "shop_orders_total", "database": "shop"}, series={orders: "0 0 1 1 2x10"}),
            Example(name=f"the slowest job, failing at every {every}-minute run, fires after its second",
                    at=f"{every + 1}m", fires=True, labels={"query": "slowest"},
                    series={slow: f"1x{every - 1} 2x10"}),
            Example(name="failures between successes do not", at="10m", fires=False,
                    series={orders: "0 1 0 1 0 1 0 1 0 1 0 1"}),
            Example(name="a job failing most runs keeps firing between its rare successes", at="9m", fires=True,
                    labels={"query": "shop_orders_total", "database": "shop"},
                    series={orders: "1 2 3 4 0 1 0 1 0 1 0"}),
            Example(name="the slowest job failing, failing, succeeding, failing keeps firing until it fails again",
                    at=f"{4 * every - 1}m", fires=True, labels={"query": "slowest"},
                    series={slow: f"1x{every - 1} 2x{every - 1} 0x{every - 1} 1x{every - 1} 2x{every}"}),
            Example(name=f"it resolves {held} minutes after the last two failures in a row", at=f"{held + 4}m",
                    fires=False, series={orders: f"2x3 0 1 0 1x{held + 5}"}),
            Example(name="queries of a database that is down are its outage's", at="10m", fires=False,
                    series={orders: "0+1x12", 'obsgen_database_up{database="shop"}': "0x12"}),
            Example(name="forecasts while Prometheus is unreachable are its outage's", at="10m", fires=False,
                    series={f'{FAILURES}{{query="disk_free"}}': "0+1x12", "obsgen_prometheus_up": "0x12"}),
        ),
    )


def _runs_missed(slowest_interval: str) -> Alert:
    """Runs not started because the previous one was still going: no run fails, so BusinessQueryFailing is silent,
    and the job serves values older than its interval (until they go stale and vanish). Counted over two runs of
    the slowest job: runs taking between one and two intervals skip every other run, and the window always holds
    one."""
    window, every = two_runs(slowest_interval), _minutes(slowest_interval)
    counted = _minutes(window)
    held = counted + 5
    orders, slow = f'{MISSED}{{query="shop_orders_total",database="shop"}}', f'{MISSED}{{query="slowest"}}'
    every_other = " ".join(f"{skipped}x{2 * every - 1}" for skipped in range(1, (held + 20) // (2 * every) + 3))
    return Alert(
        name="BusinessQueryRunsMissed",
        # increase, not the counter's value: a restart of the exporter resets it, and runs skipped hours ago
        # are no news; `for` longer than the window: one slow run now and then never fires
        expr=f"increase({MISSED}[{window}]) > 0", **{"for": f"{held}m"}, severity="warning",
        group="meta-monitoring",
        summary="Runs of {{ $labels.query }}" + ON_DATABASE + " are skipped: its runs take longer than its interval",
        description=f"{{{{ $labels.query }}}}{ON_DATABASE} skipped runs in every {window} for {held} minutes, "
                    "because its previous run was still going: the values it serves are older than its interval, "
                    "and vanish once older than its stale_after. No run fails, so BusinessQueryFailing stays silent.",
        runbook="Read the exporter's log (\"still running after ... s: its runs due meanwhile are skipped\", "
                "naming the definition's file and line) and obsgen_query_duration_seconds for the job: make the SQL "
                "or the PromQL cheaper (an index, a recording rule, a shorter history), or raise its interval.",
        examples=(
            Example(name=f"a job skipping a run every minute fires after {held} minutes", at=f"{held + 2}m",
                    fires=True, labels={"query": "shop_orders_total", "database": "shop"},
                    series={orders: f"0+1x{held + 10}"}),
            Example(name=f"the slowest job ({every} minutes) skipping every other run fires", at=f"{held + 10}m",
                    fires=True, labels={"query": "slowest"}, series={slow: f"0x5 {every_other}"}),
            Example(name="one slow run now and then does not", at=f"{counted + held + 24}m", fires=False,
                    series={slow: f"0x10 1x{counted + 14} 2x{held + 10}"}),
            Example(name="a quiet night, no run skipped, is silent", at="60m", fires=False,
                    series={orders: "0x60"}),
            Example(name="runs skipped long ago are no news", at="60m", fires=False, series={orders: "7x60"}),
            Example(name="an exporter restart (the counter back at 0) is no skipped run", at="50m", fires=False,
                    series={orders: "7x40 0x20"}),
            Example(name="skipping on after an exporter restart keeps firing", at=f"{held + 10}m", fires=True,
                    labels={"query": "shop_orders_total", "database": "shop"},
                    series={orders: f"0+1x20 0+1x{held + 10}"}),
            Example(name="it resolves once the exporter's series are gone (TargetDown tells)",
                    at=f"{held + 40}m", fires=False, series={orders: f"0+1x{held + 10} _x40"}),
        ),
    )
