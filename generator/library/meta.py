"""The metrics pipeline watching itself: the servers' own metrics and the alerts on them."""

from __future__ import annotations

from generator.library import on_dashboard
from generator.model import Alert, Example, Metric, MetricType, Source

# initialised: Prometheus creates a rule group's series when it loads the group (rules/group.go, NewGroup), and
# Alertmanager every integration's at start (notify/notify.go, NewMetrics), before anything is evaluated or sent.
PROMETHEUS_METRICS = (
    Metric(name="prometheus_rule_evaluation_failures_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Rule evaluations that failed.", labels=("rule_group",), initialised=True),
    Metric(name="prometheus_rule_evaluations_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Rule evaluations, failed or not.", labels=("rule_group",), initialised=True),
    Metric(name="prometheus_rule_group_last_duration_seconds", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Duration of the last rule group evaluation.", unit="seconds", labels=("rule_group",)),
    Metric(name="prometheus_notifications_errors_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Errors sending alerts to Alertmanager.", labels=("alertmanager",)),
    Metric(name="prometheus_notifications_sent_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Alerts sent to Alertmanager.", labels=("alertmanager",)),
    Metric(name="prometheus_config_last_reload_successful", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="1 if the last configuration reload succeeded."),
    Metric(name="prometheus_tsdb_head_series", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Series in the head block.", whole=True),
    Metric(name="prometheus_target_interval_length_seconds", type=MetricType.SUMMARY, source=Source.PROMETHEUS,
           help="Actual intervals between scrapes.", unit="seconds", labels=("interval",)),
    Metric(name="prometheus_rule_group_iterations_missed_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Rule group evaluations skipped because the previous one ran late.", labels=("rule_group",)),
    Metric(name="prometheus_notifications_alertmanagers_discovered", type=MetricType.GAUGE,
           source=Source.PROMETHEUS, help="Alertmanagers Prometheus knows to send alerts to.", whole=True),
    Metric(name="prometheus_notifications_queue_length", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Alerts waiting in the queue to Alertmanager.", whole=True),
    Metric(name="prometheus_notifications_queue_capacity", type=MetricType.GAUGE, source=Source.PROMETHEUS,
           help="Alerts the queue to Alertmanager holds before it drops them.", whole=True),
    Metric(name="prometheus_notifications_dropped_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Alerts dropped before reaching any Alertmanager (full queue, none discovered, send errors)."),
    Metric(name="prometheus_tsdb_reloads_failures_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Failed reloads of the on-disk blocks."),
    Metric(name="prometheus_tsdb_compactions_failed_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Failed compactions of the head into blocks."),
    Metric(name="prometheus_remote_storage_samples_total", type=MetricType.COUNTER, source=Source.PROMETHEUS,
           help="Samples sent to remote storage.", labels=("remote_name", "url")),
    Metric(name="prometheus_remote_storage_samples_failed_total", type=MetricType.COUNTER,
           source=Source.PROMETHEUS, help="Samples remote storage refused for good.", labels=("remote_name", "url")),
    Metric(name="prometheus_remote_storage_highest_timestamp_in_seconds", type=MetricType.GAUGE,
           source=Source.PROMETHEUS, unit="seconds", help="Newest sample timestamp appended to the TSDB."),
    Metric(name="prometheus_remote_storage_queue_highest_sent_timestamp_seconds", type=MetricType.GAUGE,
           source=Source.PROMETHEUS, unit="seconds", help="Newest sample timestamp a remote-write queue sent.",
           labels=("remote_name", "url")),
)
ALERTMANAGER_METRICS = (
    Metric(name="alertmanager_notifications_total", type=MetricType.COUNTER, source=Source.ALERTMANAGER,
           help="Notification attempts per integration.", labels=("integration",), initialised=True),
    Metric(name="alertmanager_notifications_failed_total", type=MetricType.COUNTER, source=Source.ALERTMANAGER,
           help="Failed notifications per integration.", labels=("integration",), initialised=True),
    Metric(name="alertmanager_notification_latency_seconds", type=MetricType.HISTOGRAM, source=Source.ALERTMANAGER,
           help="Latency of notifications per integration.", unit="seconds", labels=("integration",)),
    Metric(name="alertmanager_config_last_reload_successful", type=MetricType.GAUGE, source=Source.ALERTMANAGER,
           help="1 if the last configuration reload succeeded."),
    Metric(name="alertmanager_cluster_members", type=MetricType.GAUGE, source=Source.ALERTMANAGER,
           help="Members of the gossip cluster this Alertmanager sees, itself included.", whole=True),
)


WATCHDOG_HEARTBEAT = "5m"
"""How often the dead man's switch is pinged; the heartbeat service should page after two missed pings."""


PROMETHEUS_LTS = '{job="prometheus",instance="p:9090",remote_name="lts",url="http://lts/push"}'
"""A remote-write queue in the examples, as Prometheus' self-scrape labels it."""
TEMPO_WRITE = "http://prometheus:9090/api/v1/write"
"""Where Tempo's metrics-generator writes its span metrics."""
TEMPO_QUEUE = f'{{job="tempo",instance="tempo:3200",tenant="single-tenant",remote_name="r",url="{TEMPO_WRITE}"}}'
"""Its queue as Prometheus scrapes it from Tempo."""
AM1 = '{instance="p:9090",alertmanager="http://am-1:9093/api/v2/alerts"}'
AM2 = '{instance="p:9090",alertmanager="http://am-2:9093/api/v2/alerts"}'
"""Prometheus sending to an Alertmanager pair, in the examples."""
SEND_RATIO = "rate(prometheus_notifications_errors_total[5m]) / rate(prometheus_notifications_sent_total[5m]) * 100"
"""Per Alertmanager, the share of alerts Prometheus failed to send to it, in percent."""


def meta_alert(name: str, expr: str, for_: str, severity: str, summary: str, description: str, runbook: str,
               *examples: Example) -> Alert:
    """An alert of the pipeline's own, in the meta-monitoring group."""
    return Alert(name=name, expr=expr, **{"for": for_}, severity=severity, group="meta-monitoring",
                 summary=summary, description=description, runbook=runbook, examples=examples)


def meta_alerts(watchdog_channels: tuple[str, ...], runbook_base: str = "", dashboard: str = "") -> tuple[Alert, ...]:
    """The pipeline's own alerts with kube-prometheus' thresholds and `for` durations (opening `dashboard`).

    Gauges are read through max_over_time over 5 minutes, as kube-prometheus does, so one failed scrape
    cannot hide a failure nor fake one; failures are ratios, so one failed send among thousands is no page.
    """
    alerts = (
        Alert(
            name="Watchdog", expr="vector(1)", severity="info", group="meta-monitoring",
            # escalation="": a heartbeat never climbs a policy (XR026), whatever a project's info severity does
            channels=watchdog_channels, heartbeat=WATCHDOG_HEARTBEAT, escalation="",
            summary="Alerting pipeline is alive",
            description="Always firing. If this notification stops arriving, Prometheus, Alertmanager or the "
                        "route to the dead man's switch is broken.",
            runbook="If the dead man's switch stopped receiving Watchdog, check Prometheus is up, that it reaches "
                    "Alertmanager (prometheus_notifications_errors_total) and the watchdog receiver.",
            examples=(Example(name="always fires", series={"up": "1"}, at="0s", fires=True, labels={}),),
        ),
        meta_alert(
            "TargetDown", "100 * (count by (job) (up == 0) / count by (job) (up)) > 10", "10m", "warning",
            "{{ printf \"%.0f\" $value }}% of the {{ $labels.job }} targets are down",
            "More than 10% of job {{ $labels.job }}'s targets cannot be scraped for 10 minutes: their metrics and "
            "the alerts built on them are blind.",
            # the instance is where Prometheus reaches the target (the compose network, the cluster), not the reader
            "Prometheus lists the targets down: `up{job=\"{{ $labels.job }}\"} == 0`. Its Targets page gives each "
            "one's last scrape error: connection refused is the process stopped (its logs, its service manager), a "
            "timeout a slow /metrics or the network path, 401/403 the scrape credentials, 404 the metrics path.",
            Example(name="the only target down for 11 minutes fires", at="11m", fires=True, value=100,
                    series={'up{job="node",instance="n1:9100"}': "0x15"}, labels={"job": "node"}),
            Example(name="one target of twenty (5%) down does not", at="15m", fires=False,
                    series={'up{job="api",instance="a1:8000"}': "0x15",
                            **{f'up{{job="api",instance="a{n}:8000"}}': "1x15" for n in range(2, 21)}}),
            Example(name="down for 5 minutes does not", at="11m", fires=False,
                    series={'up{job="node",instance="n1:9100"}': "0x5 1x10"}),
            Example(name="Grafana down for 11 minutes fires", at="11m", fires=True, value=100,
                    series={'up{job="grafana",instance="grafana:3000"}': "0x15"}, labels={"job": "grafana"}),
            Example(name="Jaeger down for 11 minutes fires", at="11m", fires=True, value=100,
                    series={'up{job="jaeger",instance="jaeger:8888"}': "0x15"}, labels={"job": "jaeger"}),
        ),
        meta_alert(
            # TargetDown counts the targets down at each evaluation, so one failing every other scrape is never down
            # for its 10 minutes; this tells it, and stays out of TargetDown's way: a dead target's `up` reads 1
            # somewhere in the window for its first 10 minutes only, less than the `for`
            "TargetFlapping", "avg_over_time(up[10m]) < 0.9 and max_over_time(up[10m]) == 1", "15m", "warning",
            "{{ $labels.instance }} of job {{ $labels.job }} fails scrapes on and off",
            "More than 10% of the scrapes of {{ $labels.instance }} (job {{ $labels.job }}) failed in each 10 minutes "
            "for 15 minutes, though it answers between them: its series have holes and its alerts and panels read "
            "them now and then; TargetDown never fires for it.",
            "Open Prometheus' Targets page for the target's last scrape error: a scrape timeout (a slow /metrics), "
            "a process restarting in a loop, or a network path dropping packets.",
            Example(name="failing every other scrape for 20 minutes fires", at="20m", fires=True, interval="15s",
                    series={'up{job="api",instance="api:8000"}': " ".join(["1 0"] * 45)},
                    labels={"job": "api", "instance": "api:8000"}),
            Example(name="one failed scrape does not", at="20m", fires=False, interval="15s",
                    series={'up{job="api",instance="api:8000"}': "1x40 0 1x45"}),
            Example(name="a quiet night, every scrape answered, does not", at="20m", fires=False, interval="15s",
                    series={'up{job="api",instance="api:8000"}': "1x90"}),
            Example(name="a Prometheus restart (10 minutes without samples) does not", at="25m", fires=False,
                    interval="15s", series={'up{job="api",instance="api:8000"}': "1x40 _x39 1x40"}),
            Example(name="a target dead for good is TargetDown's alone", at="27m", fires=False, interval="15s",
                    series={'up{job="api",instance="api:8000"}': "1x40 0x80"}),
        ),
        meta_alert(
            "PrometheusRuleEvaluationFailures", "increase(prometheus_rule_evaluation_failures_total[5m]) > 0", "15m",
            "critical", "Rule group {{ $labels.rule_group }} fails to evaluate",
            "Rules in {{ $labels.rule_group }} have failed for 15 minutes; the alerts they define cannot fire.",
            "Open Prometheus /rules for the failing group's error; usually a query hitting many-to-many matching "
            "or a timeout.",
            Example(name="failing for 20 minutes fires", at="20m", fires=True, labels={"rule_group": "g"},
                    series={'prometheus_rule_evaluation_failures_total{rule_group="g"}': "0+1x25"}),
            Example(name="one failure does not", at="20m", fires=False,
                    series={'prometheus_rule_evaluation_failures_total{rule_group="g"}': "0 1x25"}),
        ),
        meta_alert(
            "PrometheusMissedRuleEvaluations", "increase(prometheus_rule_group_iterations_missed_total[5m]) > 0",
            "15m", "warning", "Rule group {{ $labels.rule_group }} misses evaluations",
            "{{ $labels.rule_group }} takes longer than its interval, so evaluations are skipped: its alerts "
            "fire late or not at all.",
            "Compare the group's duration (prometheus_rule_group_last_duration_seconds) with its interval; make "
            "its slowest query cheaper (a recording rule) or split the group.",
            Example(name="skipping for 20 minutes fires", at="20m", fires=True, labels={"rule_group": "g"},
                    series={'prometheus_rule_group_iterations_missed_total{rule_group="g"}': "0+1x25"}),
        ),
        meta_alert(
            "PrometheusNotConnectedToAlertmanagers",
            "max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1", "10m", "warning",
            "Prometheus {{ $labels.instance }} knows no Alertmanager",
            "Prometheus {{ $labels.instance }} has no Alertmanager to send alerts to: every alert is evaluated "
            "and nobody is told.",
            "Check alerting.alertmanagers in prometheus.yml and that the Alertmanager address resolves.",
            Example(name="none for 15 minutes fires", at="15m", fires=True, labels={"instance": "p:9090"},
                    series={'prometheus_notifications_alertmanagers_discovered{instance="p:9090"}': "0x20"}),
            Example(name="one connected does not", at="15m", fires=False,
                    series={'prometheus_notifications_alertmanagers_discovered{instance="p:9090"}': "1x20"}),
        ),
        meta_alert(
            "PrometheusNotificationErrors",
            "min without (alertmanager) (rate(prometheus_notifications_errors_total[5m]) "
            "/ rate(prometheus_notifications_sent_total[5m])) * 100 > 3", "15m", "critical",
            "Prometheus {{ $labels.instance }} fails to send {{ printf \"%.1f\" $value }}% of alerts",
            "More than 3% of the alerts Prometheus sends fail at every Alertmanager: alerts are evaluated but do "
            "not reach people.",
            "Check Alertmanager is up and reachable from Prometheus; see Prometheus logs.",
            Example(name="half failing for 20 minutes fires", at="20m", fires=True, labels={"instance": "p:9090"},
                    value=50,
                    series={'prometheus_notifications_errors_total{instance="p:9090",alertmanager="am"}': "0+1x25",
                            'prometheus_notifications_sent_total{instance="p:9090",alertmanager="am"}': "0+2x25"}),
            Example(name="one error in a hundred does not", at="20m", fires=False,
                    series={'prometheus_notifications_errors_total{instance="p:9090",alertmanager="am"}': "0+1x25",
                            'prometheus_notifications_sent_total{instance="p:9090",alertmanager="am"}':
                                "0+100x25"}),
        ),
        meta_alert(
            "PrometheusNotificationQueueRunningFull",
            # min_over_time of the capacity: one failed scrape cannot hide the limit (kube-prometheus)
            "predict_linear(prometheus_notifications_queue_length[5m], 60 * 30) "
            "> min_over_time(prometheus_notifications_queue_capacity[5m])", "15m", "warning",
            "Prometheus {{ $labels.instance }}'s queue of alerts will be full within 30 minutes",
            "Alerts wait longer and longer to leave Prometheus {{ $labels.instance }}; once the queue is full they are "
            "dropped (prometheus_notifications_dropped_total) and nobody is told.",
            "Check Alertmanager's latency and errors (prometheus_notification_latency_seconds, "
            "prometheus_notifications_errors_total); a storm of alerts from one rule fills it too.",
            Example(name="a queue growing 300 alerts a minute for 20 minutes fires", at="22m", fires=True,
                    labels={"instance": "p:9090"},
                    series={'prometheus_notifications_queue_length{instance="p:9090"}': "0+300x30",
                            'prometheus_notifications_queue_capacity{instance="p:9090"}': "10000x30"}),
            Example(name="a steady queue does not", at="20m", fires=False,
                    series={'prometheus_notifications_queue_length{instance="p:9090"}': "50x25",
                            'prometheus_notifications_queue_capacity{instance="p:9090"}': "10000x25"}),
            Example(name="a burst drained within 10 minutes does not", at="20m", fires=False,
                    series={'prometheus_notifications_queue_length{instance="p:9090"}': "0x5 0+1000x5 5000-1000x5 0x10",
                            'prometheus_notifications_queue_capacity{instance="p:9090"}': "10000x25"}),
        ),
        meta_alert(
            "PrometheusErrorSendingAlertsToSomeAlertmanagers",
            # with the pair, one Alertmanager refusing alerts leaves the other to deliver them alone, which the
            # alert above (every Alertmanager failing) does not see; while every one fails, that page says it all
            f"{SEND_RATIO} > 1 unless on (job, instance) (min without (alertmanager) ({SEND_RATIO}) > 3)", "15m",
            "warning", "Prometheus fails to send {{ printf \"%.1f\" $value }}% of alerts to {{ $labels.alertmanager }}",
            "Alertmanager {{ $labels.alertmanager }} refuses or misses alerts from Prometheus {{ $labels.instance }}: "
            "the other one still delivers them, with no spare if it fails too.",
            "Check that Alertmanager's process, its /-/ready and the network path from Prometheus; Prometheus' log "
            "names the error for that URL.",
            Example(name="one of the pair failing for 20 minutes fires", at="20m", fires=True, value=100,
                    labels={"instance": "p:9090", "alertmanager": "http://am-1:9093/api/v2/alerts"},
                    series={f"prometheus_notifications_errors_total{AM1}": "0+2x25",
                            f"prometheus_notifications_sent_total{AM1}": "0+2x25",
                            f"prometheus_notifications_errors_total{AM2}": "0x25",
                            f"prometheus_notifications_sent_total{AM2}": "0+2x25"}),
            Example(name="both failing is PrometheusNotificationErrors' page, not this one", at="20m", fires=False,
                    series={f"prometheus_notifications_errors_total{AM1}": "0+2x25",
                            f"prometheus_notifications_sent_total{AM1}": "0+2x25",
                            f"prometheus_notifications_errors_total{AM2}": "0+2x25",
                            f"prometheus_notifications_sent_total{AM2}": "0+2x25"}),
            Example(name="a quiet night with nothing sent does not", at="20m", fires=False,
                    series={f"prometheus_notifications_errors_total{AM1}": "0x25",
                            f"prometheus_notifications_sent_total{AM1}": "5x25"}),
            Example(name="failures for 10 minutes, then recovered, do not", at="20m", fires=False,
                    series={f"prometheus_notifications_errors_total{AM1}": "0+2x10 20x15",
                            f"prometheus_notifications_sent_total{AM1}": "0+2x25"}),
            Example(name="an Alertmanager taken out of the configuration (its series gone) does not", at="30m",
                    fires=False,
                    series={f"prometheus_notifications_errors_total{AM1}": "0+2x10",
                            f"prometheus_notifications_sent_total{AM1}": "0+2x10",
                            f"prometheus_notifications_errors_total{AM2}": "0x35",
                            f"prometheus_notifications_sent_total{AM2}": "0+2x35"}),
            Example(name="a Prometheus restart (counters back to 0) while failing still fires", at="20m",
                    fires=True, value=100,
                    labels={"instance": "p:9090", "alertmanager": "http://am-1:9093/api/v2/alerts"},
                    series={f"prometheus_notifications_errors_total{AM1}": "0+2x10 0+2x15",
                            f"prometheus_notifications_sent_total{AM1}": "0+2x10 0+2x15",
                            f"prometheus_notifications_errors_total{AM2}": "0x25",
                            f"prometheus_notifications_sent_total{AM2}": "0+2x25"}),
        ),
        meta_alert(
            "AlertmanagerNotificationsFailing",
            # the failed counter counts notifications Alertmanager gave up on after its retries, not attempts: one is
            # a page nobody received, so no floor of failures (one failed dead-man ping on a quiet night fires too)
            "sum by (integration) (rate(alertmanager_notifications_failed_total[15m])) "
            "/ sum by (integration) (rate(alertmanager_notifications_total[15m])) > 0.01", "5m", "critical",
            "Alertmanager fails to deliver through {{ $labels.integration }}",
            "More than 1% of notifications through {{ $labels.integration }} fail: people are not being told.",
            "Check the receiver's endpoint, credentials file and network from Alertmanager's logs.",
            Example(name="every delivery failing for 10 minutes fires", at="10m", fires=True,
                    labels={"integration": "webhook"},
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0+1x20",
                            'alertmanager_notifications_total{integration="webhook"}': "0+1x20"}),
            Example(name="one failure in a thousand does not", at="10m", fires=False,
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0 1x20",
                            'alertmanager_notifications_total{integration="webhook"}': "0+100x20"}),
            Example(name="one notification given up on among the dead man's few pings fires", at="20m", fires=True,
                    labels={"integration": "webhook"},
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0x12 1x18",
                            'alertmanager_notifications_total{integration="webhook"}': "0+0.2x30"}),
            Example(name="an Alertmanager restart (counters back to 0) while failing still fires", at="20m",
                    fires=True, labels={"integration": "webhook"},
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0+1x10 0+1x15",
                            'alertmanager_notifications_total{integration="webhook"}': "0+1x10 0+1x15"}),
            Example(name="an Alertmanager restart on a quiet night (counters back to 0) does not", at="20m",
                    fires=False,
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0x10 0x15",
                            'alertmanager_notifications_total{integration="webhook"}': "0+1x10 0+1x15"}),
            Example(name="Alertmanager stopped while failing (its series gone) resolves: TargetDown tells", at="30m",
                    fires=False,
                    series={'alertmanager_notifications_failed_total{integration="webhook"}': "0+1x10",
                            'alertmanager_notifications_total{integration="webhook"}': "0+1x10"}),
        ),
        meta_alert(
            "AlertmanagerMembersInconsistent",
            # a member that died leaves the count within 5 minutes, so a stopped replica is TargetDown's alone;
            # warning: a split pair still delivers every alert, twice, and a silence set on one does not hold
            "max_over_time(alertmanager_cluster_members[5m]) < on (job) group_left "
            "count by (job) (max_over_time(alertmanager_cluster_members[5m]))", "15m", "warning",
            "Alertmanager {{ $labels.instance }} sees {{ $value }} of the cluster's members",
            "The Alertmanagers of {{ $labels.job }} do not gossip: each notifies on its own (duplicates) and a "
            "silence set on one does not hold on the other.",
            "Check port 9094 between the replicas and --cluster.peer; Alertmanager's /#/status lists the peers "
            "each one sees.",
            Example(name="a replica that lost its peer for 22 minutes fires", at="28m", fires=True, value=1,
                    labels={"job": "alertmanager", "instance": "am-1:9093"},
                    series={'alertmanager_cluster_members{job="alertmanager",instance="am-1:9093"}': "2x5 1x30",
                            'alertmanager_cluster_members{job="alertmanager",instance="am-2:9093"}': "2x35"}),
            Example(name="a gossiping pair does not", at="20m", fires=False,
                    series={'alertmanager_cluster_members{job="alertmanager",instance="am-1:9093"}': "2x25",
                            'alertmanager_cluster_members{job="alertmanager",instance="am-2:9093"}': "2x25"}),
            Example(name="one replica stopped (its series gone) does not", at="20m", fires=False,
                    series={'alertmanager_cluster_members{job="alertmanager",instance="am-1:9093"}': "2x5 1x20",
                            'alertmanager_cluster_members{job="alertmanager",instance="am-2:9093"}': "2x5"}),
            Example(name="a split healed within 10 minutes does not", at="20m", fires=False,
                    series={'alertmanager_cluster_members{job="alertmanager",instance="am-1:9093"}':
                                "2x5 1x10 2x10",
                            'alertmanager_cluster_members{job="alertmanager",instance="am-2:9093"}':
                                "2x5 1x10 2x10"}),
        ),
        meta_alert(
            "ConfigReloadFailed",
            "max_over_time(prometheus_config_last_reload_successful[5m]) == 0 "
            "or max_over_time(alertmanager_config_last_reload_successful[5m]) == 0", "10m", "critical",
            "{{ $labels.job }} failed to reload its configuration",
            "{{ $labels.job }} still runs its previous configuration: changes to rules, routes or receivers are "
            "not in force.",
            "Run `obsgen check` on out/ and read the server log for the reload error.",
            Example(name="failed reload for 15 minutes fires", at="15m", fires=True, labels={"job": "prometheus"},
                    series={'prometheus_config_last_reload_successful{job="prometheus"}': "0x20"}),
            Example(name="a failed reload fixed within 5 minutes does not", at="15m", fires=False,
                    series={'alertmanager_config_last_reload_successful{job="alertmanager"}': "0x4 1x20"}),
        ),
        meta_alert(
            "PrometheusTSDBReloadsFailing", "increase(prometheus_tsdb_reloads_failures_total[3h]) > 0", "4h",
            "warning", "Prometheus {{ $labels.instance }} fails to reload its blocks",
            "{{ printf \"%.0f\" $value }} reloads of the on-disk blocks failed in 3 hours: a disk or corruption "
            "problem that ends in lost data.",
            "Read Prometheus' log for the block that fails; check the data volume's space and health.",
            Example(name="failing for 5 hours fires", at="5h", fires=True, labels={"instance": "p:9090"},
                    interval="10m", value=18,
                    series={'prometheus_tsdb_reloads_failures_total{instance="p:9090"}': "0+1x40"}),
        ),
        meta_alert(
            "PrometheusTSDBCompactionsFailing", "increase(prometheus_tsdb_compactions_failed_total[3h]) > 0", "4h",
            "warning", "Prometheus {{ $labels.instance }} fails to compact its head",
            "{{ printf \"%.0f\" $value }} compactions failed in 3 hours: the head grows in memory and on the WAL "
            "until Prometheus runs out of either.",
            "Read Prometheus' log for the compaction error; check the data volume's space and health.",
            Example(name="failing for 5 hours fires", at="5h", fires=True, labels={"instance": "p:9090"},
                    interval="10m", value=18,
                    series={'prometheus_tsdb_compactions_failed_total{instance="p:9090"}': "0+1x40"}),
        ),
        meta_alert(
            "PrometheusRemoteStorageFailures",
            "rate(prometheus_remote_storage_samples_failed_total[5m]) / (rate("
            "prometheus_remote_storage_samples_failed_total[5m]) + rate(prometheus_remote_storage_samples_total[5m]))"
            " * 100 > 1", "15m", "critical",
            # the job names the sender: Prometheus, or Tempo's metrics-generator with the same metric names
            "{{ $labels.job }} ({{ $labels.instance }}) fails to send {{ printf \"%.1f\" $value }}% of samples to "
            "{{ $labels.remote_name }}",
            "Samples {{ $labels.job }} writes to {{ $labels.remote_name }} ({{ $labels.url }}) are refused: they are "
            "lost for long-term storage.",
            "Check the remote endpoint's health and credentials; Prometheus' log names the HTTP status it answers.",
            Example(name="a tenth failing for 20 minutes fires", at="20m", fires=True, value=10,
                    labels={"job": "prometheus", "instance": "p:9090", "remote_name": "lts", "url": "http://lts/push"},
                    series={f"prometheus_remote_storage_samples_failed_total{PROMETHEUS_LTS}": "0+10x25",
                            f"prometheus_remote_storage_samples_total{PROMETHEUS_LTS}": "0+90x25"}),
            # Tempo's metrics-generator registers Prometheus' remote-write metrics, unprefixed, on its own /metrics
            Example(name="Tempo's metrics-generator failing to write its span metrics fires too", at="20m",
                    fires=True, value=100,
                    labels={"job": "tempo", "instance": "tempo:3200", "tenant": "single-tenant", "remote_name": "r",
                            "url": TEMPO_WRITE},
                    series={f"prometheus_remote_storage_samples_failed_total{TEMPO_QUEUE}": "0+50x25",
                            f"prometheus_remote_storage_samples_total{TEMPO_QUEUE}": "0x25"}),
        ),
        meta_alert(
            "PrometheusRemoteWriteBehind",
            "max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds[5m]) - ignoring (remote_name, url) "
            "group_right max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m]) > 120",
            "15m", "critical",
            "{{ $labels.job }} ({{ $labels.instance }}): remote write to {{ $labels.remote_name }} is "
            "{{ $value | humanizeDuration }} behind",
            "The remote-write queue to {{ $labels.remote_name }} falls behind what Prometheus ingests; past the "
            "WAL's retention, samples are lost.",
            "Check the remote endpoint's latency and the queue's shards (prometheus_remote_storage_shards); raise "
            "max_shards or fix the endpoint.",
            Example(name="10 minutes behind for 20 minutes fires", at="20m", fires=True, value=600,
                    labels={"job": "prometheus", "instance": "p:9090", "remote_name": "lts", "url": "http://lts/push"},
                    series={'prometheus_remote_storage_highest_timestamp_in_seconds{job="prometheus",'
                            'instance="p:9090"}': "1000+60x25",
                            "prometheus_remote_storage_queue_highest_sent_timestamp_seconds"
                            f"{PROMETHEUS_LTS}": "400+60x25"}),
        ),
    )
    return on_dashboard(alerts, dashboard)
