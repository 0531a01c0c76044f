"""The sidecar exporter's own series (forecasts, bands, anomaly scores, capacity, self-metrics) and alerts on them.

Every forecast output carries a ``forecast`` label (the Forecast's name) plus the labels of the series
it was learnt from; every self-metric carries the ``query`` (business metric or forecast name).
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.duration import format_seconds, parse_seconds
from generator.model import Alert, Example, Metric, MetricType, Source
from generator.model.exporter import Scheduled

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
SELF_METRICS = (
    Metric(name="obsgen_query_duration_seconds", type=HISTOGRAM, source=SIDECAR, unit="seconds",
           help="Duration of each run of a SQL query or forecast.", labels=("query",),
           buckets=QUERY_DURATION_BUCKETS),
    Metric(name="obsgen_query_runs_total", type=COUNTER, source=SIDECAR,
           help="Runs of each SQL query or forecast by outcome (success, error, timeout).",
           labels=("query", "status")),
    Metric(name="obsgen_query_last_success_timestamp_seconds", type=GAUGE, source=SIDECAR, unit="seconds",
           help="Start of the last successful run of each SQL query or forecast (:now of its SQL).",
           labels=("query",)),
    Metric(name="obsgen_database_up", type=GAUGE, source=SIDECAR,
           help="1 if the last connection to the database succeeded.", labels=("database",)),
    Metric(name="obsgen_prometheus_up", type=GAUGE, source=SIDECAR,
           help="1 if the last query_range to the forecasts' Prometheus succeeded."),
)
EXPORTER_METRICS = FORECAST_METRICS + SELF_METRICS


WHAT_RUNS_OUT = "{{ $labels.forecast }}{{ with $labels.mountpoint }} {{ . }}{{ end }} on {{ $labels.instance }}"
"""The series a capacity alert is about: a filesystem forecast names its mountpoint (two on one host otherwise read
the same), any forecast its instance."""


def predictive_alerts(for_: str = "10m", capacity_within: str = "24h") -> tuple[Alert, ...]:
    """An anomaly alert on the exporter's anomaly score and a capacity alert on the time to exhaustion.

    The score is the one bench/forecast_nab.py cross-validates on NAB (forecast residual, range and
    pattern novelty): above 1 is anomalous.
    """
    return (
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
            summary=f"{WHAT_RUNS_OUT} is exhausted within {capacity_within}",
            description=f"At its current trend, {WHAT_RUNS_OUT} reaches its limit in "
                        "{{ printf \"%.0f\" $value }} seconds.",
            runbook="Check the recommendation (obsgen_recommendation_info or `obsgen forecast report`); free or add "
                    "capacity now (clean up, expand the volume, scale out) before the limit is hit.",
            examples=(
                Example(name="full in 6 hours fires",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "21600x20"},
                        at="16m", fires=True, labels={"forecast": "disk", "instance": "db-1"}, value=21600),
                Example(name="a filesystem full in 6 hours names its mountpoint", at="16m", fires=True,
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk_free",instance="db-1",'
                                'mountpoint="/data"}': "21600x20"},
                        labels={"forecast": "disk_free", "instance": "db-1", "mountpoint": "/data"}, value=21600),
                Example(name="full in 3 days does not",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "259200x20"},
                        at="16m", fires=False),
                Example(name="never full does not",
                        series={'obsgen_capacity_seconds_to_exhaustion{forecast="disk",instance="db-1"}': "+Inf+0x20"},
                        at="16m", fires=False),
            ),
        ),
    )


def failing_window(jobs: Iterable[Scheduled]) -> str:
    """How far back BusinessQueryFailing looks: two runs of the slowest job and 5 minutes of slack, at least 10
    minutes. A window of one interval holds no run at times, and a query failing at every run would resolve and
    fire again each interval."""
    slowest = max((parse_seconds(job.interval) for job in jobs), default=0.0)
    return format_seconds(max(600.0, 2 * slowest + 300))


def exporter_alerts(jobs: Iterable[Scheduled]) -> tuple[Alert, ...]:
    """The sidecar watching itself: a database it cannot reach, a query (of these jobs: every business metric and
    forecast it runs) that keeps failing."""
    window = failing_window(jobs)
    return (
        Alert(
            name="BusinessDatabaseDown", expr="obsgen_database_up == 0", **{"for": "5m"}, severity="critical",
            group="meta-monitoring",
            summary="The exporter cannot reach database {{ $labels.database }}",
            description="Business metrics read from {{ $labels.database }} are missing: dashboards and alerts on "
                        "them are blind.",
            runbook="Check the database is up and reachable from the exporter; check the DSN variable or file the "
                    "exporter reads, and the exporter's log for the connection error.",
            examples=(
                Example(name="down for 6 minutes fires", series={'obsgen_database_up{database="shop"}': "0x10"},
                        at="6m", fires=True, labels={"database": "shop"}),
                Example(name="a reconnect within 5 minutes does not", at="6m", fires=False,
                        series={'obsgen_database_up{database="shop"}': "0x3 1x7"}),
            ),
        ),
        Alert(
            name="BusinessQueryFailing",
            expr=f'sum by (query) (increase(obsgen_query_runs_total{{status!="success"}}[{window}])) > 0'
                 f' unless sum by (query) (increase(obsgen_query_runs_total{{status="success"}}[{window}])) > 0',
            # no `for`: the window is the wait (two runs), and no single evaluation can be a blip of it
            **{"for": "0s"}, severity="warning", group="meta-monitoring",
            summary=f"{{{{ $labels.query }}}} has not succeeded for {window}",
            description=f"Every run of {{{{ $labels.query }}}} in the last {window} failed or timed out; its series "
                        "are gone once stale.",
            runbook="Read the exporter's log for the query's error (it names the definition's file and line); fix "
                    "the SQL or the PromQL, or raise its timeout.",
            examples=(
                Example(name="failing for 15 minutes fires", at="15m", fires=True,
                        labels={"query": "shop_orders_total"},
                        series={'obsgen_query_runs_total{query="shop_orders_total",status="error"}': "0+1x20",
                                'obsgen_query_runs_total{query="shop_orders_total",status="success"}': "5x20"}),
                Example(name="occasional errors do not", at="15m", fires=False,
                        series={'obsgen_query_runs_total{query="shop_orders_total",status="error"}': "0+1x20",
                                'obsgen_query_runs_total{query="shop_orders_total",status="success"}': "0+1x20"}),
            ),
        ),
    )
