"""The alerts overview and the meta-monitoring dashboard: is the monitoring itself working?"""

import re

from generator.library.pipeline import EXPORT_FAILURES, GRAFANA_ERRORS, GRAFANA_REQUESTS, REFUSALS
from generator.model import Dashboard, Panel, Query, Row, ValueText
from generator.model.conventions import ESCALATION_LEVEL_LABEL, NOT_ESCALATION, SEVERITY_LABEL

from .alerting import ALERTING
from .dashboards_operations import in_view
from .meta_monitoring import ALERTS as META_ALERTS
from .stack import STACK
from .tracing import TRACING, critical_trace_coverage

RATE = "[$__rate_interval]"
FIRING_NOW = f'alertstate="firing",{NOT_ESCALATION}'
FIRING = f"ALERTS{{{FIRING_NOW}}}"
"""Alerts firing now, each once: escalation copies (labelled with their level) are left out."""
HEARTBEAT_NAMES = ", ".join(alert.name for alert in META_ALERTS if alert.heartbeat)
"""The always-firing heartbeat alerts (Watchdog), as descriptions name them."""
HEARTBEATS = "|".join(re.escape(alert.name) for alert in META_ALERTS if alert.heartbeat)
"""Alerts that always fire (Watchdog): a timeline bar of one fills the panel on a quiet night and says nothing; while
one fires, the rules are evaluated (a count of firing alerts reads 0 beside it, No data without)."""
ALERTMANAGERS = len(STACK.alertmanagers)
"""Alertmanagers Prometheus is configured with: fewer discovered is PrometheusAlertmanagersMissing (orange), none
PrometheusNotConnectedToAlertmanagers (red)."""
NONE_OF_EACH_SEVERITY = " or ".join(f'label_replace(vector(0), "{SEVERITY_LABEL}", "{severity.name}", "", "")'
                                    for severity in ALERTING.severities)
"""0 for every declared severity: a stat of a severity that stopped firing reads 0 now, not its last 1."""

ALERTS_OVERVIEW = Dashboard(
    name="Alerts Overview", folder="Alerting", tags=("alerting",), lists_all_alerts=True,
    description="Every alert rule, what fires now and over the last day, how far unresolved alerts have "
                "escalated, and whether notifications reach people.",
    refresh="30s", time_range="24h",
    rows=(
        Row(title="Now", panels=(
            Panel(title="Firing by Severity", kind="stat", unit="none", thresholds=((1, "orange"),),
                  description="Alerts firing now per severity, each once, orange while any fires (the always-firing "
                              f"{HEARTBEAT_NAMES} left out).",
                  queries=Query(expr=f'count by (severity) (ALERTS{{{FIRING_NOW},alertname!~"{HEARTBEATS}"}}) '
                                     f"or {NONE_OF_EACH_SEVERITY}", legend="{{severity}}")),
            Panel(title="Pending", kind="stat", unit="none", thresholds=((1, "orange"),),
                  description="Alerts whose condition holds but not yet for their `for` duration.",
                  queries=f'count(ALERTS{{alertstate="pending",{NOT_ESCALATION}}}) or vector(0)'),
            Panel(title="Escalated", kind="stat", unit="none", thresholds=((1, "red"),),
                  description="Unresolved alerts that climbed at least one level of their escalation policy, each "
                              "once whatever level it reached.",
                  queries=f"count(count without ({ESCALATION_LEVEL_LABEL}) "
                          f'(ALERTS{{alertstate="firing",{ESCALATION_LEVEL_LABEL}!=""}})) or vector(0)'),
            Panel(  # obsgen: disable=GD005 a count of the last hour, whatever range the dashboard shows
                  title="Notifications Failing", kind="stat", unit="none", decimals=0, thresholds=((1, "red"),),
                  description="Notifications Alertmanager gave up on (after its retries) in the last hour, all "
                              "integrations: 0 when healthy; each is a message nobody received.",
                  queries="round(sum(increase(alertmanager_notifications_failed_total[1h]))) or vector(0)"),
        )),
        Row(title="History", panels=(
            Panel(title="Alert Timeline", kind="status_grid", unit="none", width=24,
                  value_texts=(ValueText(value="1", text="FIRING", color="red"),),
                  description="When each alert fired over the selected range (not the always-firing "
                              f"{HEARTBEAT_NAMES}); empty on a quiet night.",
                  queries=Query(expr=f'max by (alertname) (ALERTS{{{FIRING_NOW},alertname!~"{HEARTBEATS}"}})',
                                legend="{{alertname}}")),
            Panel(title="Firing Alerts", kind="table", unit="none",
                  description="Alerts firing at the end of the range, with their labels.",
                  queries=Query(expr=FIRING, instant=True, format="table")),
            Panel(title="Notifications by Integration", kind="line", unit="ops",
                  description="Notification attempts per second per integration (email, Slack, webhook...).",
                  queries=Query(expr=f"sum by (integration) (rate(alertmanager_notifications_total{RATE}))",
                                legend="{{integration}}")),
        )),
    ),
)

OK_FAILED = (ValueText(value="1", text="OK", color="green"), ValueText(value="0", text="FAILED", color="red"))


def _lost(title: str, description: str, by: str, *metrics: str) -> Panel:
    """Items a component lost per second, one line per counter and `by` (empty while nothing is lost)."""
    return Panel(title=title, kind="line", unit="cps", description=description,
                 queries=tuple(Query(expr=f"sum by ({by}) (rate({metric}{RATE}))",
                                     legend=f"{metric.removeprefix('otelcol_').removesuffix('_total')} {{{{{by}}}}}")
                               for metric in metrics))


META_MONITORING = Dashboard(
    name="Meta-monitoring", folder="Platform", tags=("meta-monitoring", "platform"),
    description="The metrics pipeline watching itself: scrape health, rule evaluation, delivery of alerts "
                "from Prometheus to Alertmanager and from Alertmanager to people.",
    refresh="30s", time_range="6h",
    rows=(
        Row(title="Scraping", panels=(
            Panel(title="Targets Up", kind="status_grid", unit="none", width=24,
                  value_texts=(ValueText(value="1", text="UP", color="green"),
                               ValueText(value="0", text="DOWN", color="red")),
                  description="Whether each scrape target answers (TargetDown warns when more than 10% of a job's "
                              "targets are down for 10 minutes).",
                  queries=Query(expr="up", legend="{{job}} {{instance}}")),
            Panel(title="Scrape Duration", kind="line", unit="s",
                  description="Slowest scrape per job; close to the scrape timeout means targets are too slow.",
                  queries=Query(expr="max by (job) (scrape_duration_seconds)", legend="{{job}}")),
            Panel(title="Samples Scraped", kind="line", unit="short",
                  description="Samples ingested per scrape, per job; a jump is a cardinality explosion.",
                  queries=Query(expr="sum by (job) (scrape_samples_scraped)", legend="{{job}}")),
        )),
        Row(title="Rules", panels=(
            Panel(title="Rule Evaluation Failures", kind="line", unit="short",
                  description="Failed rule evaluations per rule group; any failure means alerts may not fire.",
                  queries=Query(expr="sum by (rule_group) "
                                     f"(increase(prometheus_rule_evaluation_failures_total{RATE}))",
                                legend="{{rule_group}}")),
            Panel(title="Rule Group Duration", kind="line", unit="s",
                  description="How long each rule group took to evaluate last time; near the interval is late.",
                  queries=Query(expr="max by (rule_group) (prometheus_rule_group_last_duration_seconds)",
                                legend="{{rule_group}}")),
            Panel(title="Missed Rule Evaluations", kind="line", unit="short",
                  description="Rule group evaluations skipped because the previous one ran late "
                              "(PrometheusMissedRuleEvaluations warns after 15 minutes).",
                  queries=Query(expr="sum by (rule_group) "
                                     f"(increase(prometheus_rule_group_iterations_missed_total{RATE}))",
                                legend="{{rule_group}}")),
            Panel(title="Head Series", kind="stat", unit="short",
                  description="Series in Prometheus' head block (active series).",
                  queries=Query(expr="sum(prometheus_tsdb_head_series)", instant=True)),  # now (GD011)
            Panel(title="TSDB Failures", kind="line", unit="short",
                  description="Failed block reloads and head compactions (each warns after 4 hours of failures).",
                  queries=(Query(expr=f"sum(increase(prometheus_tsdb_reloads_failures_total{RATE}))",
                                 legend="reloads failed"),
                           Query(expr=f"sum(increase(prometheus_tsdb_compactions_failed_total{RATE}))",
                                 legend="compactions failed"))),
            Panel(title="Configuration Reloads", kind="stat", unit="none", value_texts=OK_FAILED,
                  thresholds=((1, "green"),),
                  description="Whether the last configuration reload succeeded, now: No data while a server does "
                              "not report it (down), not its last OK.",
                  queries=(Query(expr="min(prometheus_config_last_reload_successful)", legend="Prometheus",
                                 instant=True),  # now, not the last value before a server stopped reporting
                           Query(expr="min(alertmanager_config_last_reload_successful)", legend="Alertmanager",
                                 instant=True))),
        )),
        Row(title="Notifications", panels=(
            Panel(title="Alertmanagers Discovered", kind="stat", unit="none",
                  thresholds=((None, "red"), (1, "orange"), (ALERTMANAGERS, "green")) if ALERTMANAGERS > 1
                  else ((1, "green"),),
                  description=f"Alertmanagers each Prometheus sends alerts to, of the {ALERTMANAGERS} configured "
                              "(PrometheusNotConnectedToAlertmanagers warns at 0 for 10 minutes, red; "
                              "PrometheusAlertmanagersMissing below all of them for 15 minutes, orange).",
                  queries=Query(expr="min(max_over_time(prometheus_notifications_alertmanagers_discovered[5m]))",
                                instant=True)),
            Panel(title="Prometheus to Alertmanager Errors", kind="line", unit="ops",
                  description="Errors per second sending alerts to each Alertmanager.",
                  queries=Query(expr="sum by (alertmanager) "
                                     f"(rate(prometheus_notifications_errors_total{RATE}))",
                                legend="{{alertmanager}}")),
            Panel(title="Failed Notifications", kind="line", unit="ops",
                  description="Notifications Alertmanager failed to deliver, per integration.",
                  queries=Query(expr=f"sum by (integration) (rate(alertmanager_notifications_failed_total{RATE}))",
                                legend="{{integration}}")),
            Panel(title="Notification Queue", kind="line", unit="short",
                  description="Alerts waiting to leave Prometheus against the queue's capacity, and alerts dropped "
                              "(PrometheusNotificationQueueRunningFull warns when it would be full within 30 minutes).",
                  queries=(Query(expr="max by (instance) (prometheus_notifications_queue_length)",
                                 legend="queued {{instance}}"),
                           Query(expr="max by (instance) (prometheus_notifications_queue_capacity)",
                                 legend="capacity {{instance}}"),
                           Query(expr=f"sum by (instance) (increase(prometheus_notifications_dropped_total{RATE}))",
                                 legend="dropped {{instance}}"))),
            Panel(title="Alertmanager Cluster Members", kind="line", unit="none", decimals=0,
                  description="Members of the gossip cluster each Alertmanager sees; both should see both "
                              "(AlertmanagerMembersInconsistent warns after 15 minutes apart).",
                  queries=Query(expr="alertmanager_cluster_members", legend="{{instance}}")),
            Panel(title="Notification Latency p99", kind="line", unit="s",
                  description="99th percentile time to deliver a notification, per integration.",
                  queries=Query(expr="histogram_quantile(0.99, sum by (integration, le) "
                                     f"(rate(alertmanager_notification_latency_seconds_bucket{RATE})))",
                                legend="{{integration}}")),
        )),
        Row(title="Pipeline components", panels=(
            Panel(title="Grafana Request Errors", kind="line", unit="percent", thresholds=((50, "red"),), **in_view(50),
                  description="Share of each Grafana handler's requests answered with a server error, data-source "
                              "proxies left out (GrafanaRequestsFailing warns above 50% for 5 minutes).",
                  queries=Query(expr=f"100 * sum by (handler) (rate({GRAFANA_ERRORS}{RATE})) "
                                     f"/ sum by (handler) (rate({GRAFANA_REQUESTS}{RATE}))", legend="{{handler}}")),
            _lost("Collector Refused", "Spans and log records the collector's receivers turned away "
                  "(OtelCollectorRefusingData warns after 10 minutes of refusals).", "receiver", *REFUSALS),
            _lost("Collector Export Failures", "Spans and log records each exporter failed to send or to queue "
                  "(OtelCollectorExportFailing warns after 15 minutes).", "exporter", *EXPORT_FAILURES),
            _lost("Traces Evicted Before Sampling", "Traces the tail sampler dropped before their decision "
                  "(OtelCollectorTracesDroppedTooEarly warns after 10 minutes).", "job",
                  "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total"),
            _lost("Loki Discarded Lines", "Log lines Loki refused, per reason (LokiDiscardingSamples warns after 15 "
                  "minutes).", "reason", "loki_discarded_samples_total"),
            Panel(title="Loki Ruler", kind="line", unit="cps",
                  description="Failed LogQL rule evaluations and failed sends of the ruler's alerts "
                              "(LokiRulerEvaluationFailures and LokiRulerNotificationErrors page after 15 minutes).",
                  queries=(Query(expr="sum by (rule_group) "
                                      f"(rate(loki_prometheus_rule_evaluation_failures_total{RATE}))",
                                 legend="evaluation failures {{rule_group}}"),
                           Query(expr="sum by (alertmanager) "
                                      f"(rate(loki_prometheus_notifications_errors_total{RATE}))",
                                 legend="send errors {{alertmanager}}"),
                           Query(expr="sum by (alertmanager) "
                                      f"(rate(loki_prometheus_notifications_sent_total{RATE}))",
                                 legend="sent {{alertmanager}}"))),
            _lost("Tempo Discarded Spans", "Spans Tempo refused, per reason (TempoDiscardingSpans warns after 15 "
                  "minutes).", "reason", "tempo_discarded_spans_total"),
            Panel(title="Critical Trace Coverage", kind="line", unit="percentunit", min=0, max=1,
                  thresholds=((TRACING.coverage_target, "green"),),
                  description="Share of each critical route's requests whose trace Tempo kept (TraceCoverageLow "
                              "warns below the plan's 80% for 30 minutes); empty while a route has no traffic.",
                  queries=Query(expr=critical_trace_coverage, legend="{{http_route}}")),
        )),
        Row(title="Sidecar exporter", panels=(
            Panel(title="Exporter Sources", kind="stat", unit="none", value_texts=OK_FAILED, thresholds=((1, "green"),),
                  description="Whether the sidecar exporter reaches each database it reads business metrics from "
                              "(BusinessDatabaseDown pages after 5 minutes without) and the Prometheus its forecasts "
                              "read (ForecastPrometheusDown warns after 5 minutes).",
                  queries=(Query(expr="min by (database) (obsgen_database_up)", legend="database {{database}}",
                                 instant=True),  # No data while the exporter is down, not its last OK
                           Query(expr="min(obsgen_prometheus_up)", legend="Prometheus for forecasts", instant=True))),
            Panel(title="Failing Queries", kind="line", unit="none", decimals=0, width=18, thresholds=((2, "red"),),
                  **in_view(2),
                  description="Runs in a row of each SQL query (and the database it reads) and forecast that "
                              "failed or timed out, 0 after a success (BusinessQueryFailing warns at two while its "
                              "source is up).",
                  queries=Query(expr="max by (query, database) (obsgen_query_consecutive_failures)",
                                legend="{{query}} {{database}}")),
            Panel(title="Query Duration p95", kind="line", unit="s",
                  description="95th percentile time of each SQL query's runs (and the database it reads) and each "
                              "forecast's: a run that reaches its timeout fails, one longer than its interval makes "
                              "the next skipped.",
                  queries=Query(expr="histogram_quantile(0.95, sum by (query, database, le) "
                                     f"(rate(obsgen_query_duration_seconds_bucket{RATE})))",
                                legend="{{query}} {{database}}")),
            Panel(title="Skipped Runs", kind="line", unit="short",
                  description="Runs of each query (and the database it reads) and forecast not started because the "
                              "previous one was still going (BusinessQueryRunsMissed warns when runs are skipped for "
                              "30 minutes).",
                  queries=Query(expr=f"sum by (query, database) (increase(obsgen_query_runs_missed_total{RATE}))",
                                legend="{{query}} {{database}}")),
        )),
        Row(title="Remote write", panels=(
            Panel(title="Remote Write Failures", kind="line", unit="percentunit", thresholds=((0.01, "red"),),
                  **in_view(0.01),
                  description="Share of samples each remote-write queue failed to send "
                              "(PrometheusRemoteStorageFailures pages above 1% for 15 minutes); empty while no remote "
                              "write is configured.",
                  queries=Query(expr=f"rate(prometheus_remote_storage_samples_failed_total{RATE}) / "
                                     f"(rate(prometheus_remote_storage_samples_failed_total{RATE}) + "
                                     f"rate(prometheus_remote_storage_samples_total{RATE}))",
                                legend="{{remote_name}}")),
            Panel(title="Remote Write Behind", kind="line", unit="s", thresholds=((120, "red"),), **in_view(120),
                  description="How far each remote-write queue lags what Prometheus ingests "
                              "(PrometheusRemoteWriteBehind pages above 2 minutes for 15 minutes).",
                  queries=Query(expr="max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds[5m]) - "
                                     "ignoring (remote_name, url) group_right "
                                     "max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m])",
                                legend="{{remote_name}}")),
        )),
    ),
)
