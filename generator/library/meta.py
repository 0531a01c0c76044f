"""The metrics pipeline watching itself: the servers' own metrics and the alerts on them."""

from __future__ import annotations

from generator.model import Alert, Example, Metric, MetricType, Source

PROMETHEUS_METRICS = (
    Metric(name="prometheus_rule_evaluation_failures_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Rule evaluations that failed.", labels=("rule_group",)),
    Metric(name="prometheus_rule_evaluations_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Rule evaluations, failed or not.", labels=("rule_group",)),
    Metric(name="prometheus_rule_group_last_duration_seconds", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Duration of the last rule group evaluation.", unit="seconds", labels=("rule_group",)),
    Metric(name="prometheus_notifications_errors_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Errors sending alerts to Alertmanager.", labels=("alertmanager",)),
    Metric(name="prometheus_notifications_sent_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Alerts sent to Alertmanager.", labels=("alertmanager",)),
    Metric(name="prometheus_config_last_reload_successful", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="1 if the last configuration reload succeeded."),
    Metric(name="prometheus_tsdb_head_series", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Series in the head block."),
    Metric(name="prometheus_target_interval_length_seconds", type=MetricType.SUMMARY, source=Source.PROMETHEUS,
           help="Actual intervals between scrapes.", unit="seconds", labels=("interval",)),
)
ALERTMANAGER_METRICS = (
    Metric(name="alertmanager_notifications_total", type=MetricType.COUNTER, source=Source.ALERTMANAGER,
           help="Notification attempts per integration.", labels=("integration",)),
    Metric(name="alertmanager_notifications_failed_total", type=MetricType.COUNTER, source=Source.ALERTMANAGER,
           help="Failed notifications per integration.", labels=("integration",)),
    Metric(name="alertmanager_notification_latency_seconds", type=MetricType.HISTOGRAM, source=Source.ALERTMANAGER,
           help="Latency of notifications per integration.", unit="seconds", labels=("integration",)),
    Metric(name="alertmanager_config_last_reload_successful", type=MetricType.GAUGE, source=Source.ALERTMANAGER,
           help="1 if the last configuration reload succeeded."),
)


WATCHDOG_HEARTBEAT = "5m"
"""How often the dead man's switch is pinged; the heartbeat service should page after two missed pings."""


def meta_alerts(watchdog_channels: tuple[str, ...], runbook_base: str = "", dashboard: str = "") -> tuple[Alert, ...]:
    """Watchdog, target down, rule evaluation, notification and reload failures (opening `dashboard`)."""
    alerts = (
        Alert(
            name="Watchdog", expr="vector(1)", severity="info", group="meta-monitoring",
            channels=watchdog_channels, heartbeat=WATCHDOG_HEARTBEAT,
            summary="Alerting pipeline is alive",
            description="Always firing. If this notification stops arriving, Prometheus, Alertmanager or the "
                        "route to the dead man's switch is broken.",
            runbook="If the dead man's switch stopped receiving Watchdog, check Prometheus is up, that it reaches "
                    "Alertmanager (prometheus_notifications_errors_total) and the watchdog receiver.",
            examples=(Example(name="always fires", series={"up": "1"}, at="0s", fires=True, labels={}),),
        ),
        Alert(
            name="TargetDown", expr="up == 0", **{"for": "2m"}, severity="critical", group="meta-monitoring",
            summary="{{ $labels.job }} target {{ $labels.instance }} is down",
            description="Prometheus cannot scrape {{ $labels.instance }} of job {{ $labels.job }}: its metrics "
                        "and every alert built on them are blind.",
            runbook="Check the process and port of the target; `curl http://<instance>/metrics`; look at the "
                    "Targets page of Prometheus for the scrape error.",
            examples=(
                Example(name="scrape failing 3m fires", series={'up{job="node",instance="n1:9100"}': "0x5"},
                        at="3m", fires=True, labels={"job": "node", "instance": "n1:9100"}),
                Example(name="brief blip does not", series={'up{job="node",instance="n1:9100"}': "0 1x5"},
                        at="3m", fires=False),
            ),
        ),
        Alert(
            name="PrometheusRuleEvaluationFailures",
            expr="increase(prometheus_rule_evaluation_failures_total[5m]) > 0", severity="critical",
            group="meta-monitoring",
            summary="Rule group {{ $labels.rule_group }} fails to evaluate",
            description="Rules in {{ $labels.rule_group }} failed in the last 5 minutes; the alerts they "
                        "define cannot fire.",
            runbook="Open Prometheus /rules for the failing group's error; usually a query hitting "
                    "many-to-many matching or a timeout.",
            examples=(Example(name="failures in the window fire",
                              series={'prometheus_rule_evaluation_failures_total{rule_group="g"}': "0+1x10"},
                              at="5m", fires=True, labels={"rule_group": "g"}),),
        ),
        Alert(
            name="PrometheusNotificationErrors", expr="rate(prometheus_notifications_errors_total[5m]) > 0",
            **{"for": "5m"}, severity="critical", group="meta-monitoring",
            summary="Prometheus fails to send alerts to {{ $labels.alertmanager }}",
            description="Alerts are evaluated but do not reach Alertmanager.",
            runbook="Check Alertmanager is up and reachable from Prometheus; see Prometheus logs.",
            examples=(Example(name="errors for 10m fire",
                              series={'prometheus_notifications_errors_total{alertmanager="am"}': "0+1x20"},
                              at="12m", fires=True, labels={"alertmanager": "am"}),),
        ),
        Alert(
            name="AlertmanagerNotificationsFailing",
            expr="rate(alertmanager_notifications_failed_total[5m]) > 0", **{"for": "5m"}, severity="critical",
            group="meta-monitoring",
            summary="Alertmanager fails to deliver through {{ $labels.integration }}",
            description="Notifications through {{ $labels.integration }} fail: people are not being told.",
            runbook="Check the receiver's endpoint, credentials file and network from Alertmanager's logs.",
            examples=(Example(name="failures for 10m fire",
                              series={'alertmanager_notifications_failed_total{integration="webhook"}': "0+1x20"},
                              at="12m", fires=True, labels={"integration": "webhook"}),),
        ),
        Alert(
            name="ConfigReloadFailed",
            expr="prometheus_config_last_reload_successful == 0 or alertmanager_config_last_reload_successful == 0",
            **{"for": "5m"}, severity="warning", group="meta-monitoring",
            summary="{{ $labels.job }} failed to reload its configuration",
            description="{{ $labels.job }} still runs its previous configuration.",
            runbook="Run `obsgen check` on out/ and read the server log for the reload error.",
            examples=(Example(name="failed reload fires",
                              series={'prometheus_config_last_reload_successful{job="prometheus"}': "0x10"},
                              at="6m", fires=True, labels={"job": "prometheus"}),),
        ),
    )
    return tuple(alert.model_copy(update={"dashboard": dashboard}) for alert in alerts)
