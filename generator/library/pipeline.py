"""The rest of the pipeline watching itself: Grafana, the OpenTelemetry Collector, Loki and Tempo.

TargetDown tells when one of them stops answering; these alerts tell when one answers but loses data: refuses
it, fails to pass it on, evicts it, or (Loki's ruler) cannot evaluate or deliver the log alerts.
"""

from __future__ import annotations

from generator.library import on_dashboard
from generator.library.meta import meta_alert
from generator.model import Alert, Example, Inhibition, Metric, MetricType, Source

GRAFANA_METRICS = (
    Metric(name="grafana_http_request_duration_seconds", type=MetricType.HISTOGRAM, source=Source.GRAFANA,
           unit="seconds", help="Grafana's HTTP requests by handler and status.",
           labels=("handler", "status_code", "method")),
)
COLLECTOR_METRICS = tuple(
    Metric(name=f"otelcol_{name}_total", type=MetricType.COUNTER, source=Source.OTEL_COLLECTOR, help=help_,
           labels=labels)
    for name, help_, labels in (
        ("receiver_refused_spans", "Spans a receiver could not push into its pipeline.", ("receiver", "transport")),
        ("receiver_refused_log_records", "Log records a receiver could not push into its pipeline.",
         ("receiver", "transport")),
        ("exporter_send_failed_spans", "Spans in failed attempts to send.", ("exporter",)),
        ("exporter_send_failed_log_records", "Log records in failed attempts to send.", ("exporter",)),
        ("exporter_enqueue_failed_spans", "Spans an exporter's full sending queue refused.", ("exporter",)),
        ("exporter_enqueue_failed_log_records", "Log records an exporter's full sending queue refused.",
         ("exporter",)),
        ("processor_tail_sampling_sampling_trace_dropped_too_early",
         "Traces evicted from the tail sampler's buffer before their decision.", ()),
    )
)
LOKI_METRICS = (
    Metric(name="loki_discarded_samples_total", type=MetricType.COUNTER, source=Source.LOKI,
           help="Log lines Loki refused, by reason.", labels=("reason", "tenant")),
    Metric(name="loki_prometheus_rule_evaluation_failures_total", type=MetricType.COUNTER, source=Source.LOKI,
           help="Failed evaluations of the ruler's LogQL rules.", labels=("user", "rule_group")),
    Metric(name="loki_prometheus_notifications_errors_total", type=MetricType.COUNTER, source=Source.LOKI,
           help="Errors sending the ruler's alerts to an Alertmanager.", labels=("user", "alertmanager")),
    Metric(name="loki_prometheus_notifications_sent_total", type=MetricType.COUNTER, source=Source.LOKI,
           help="Alerts the ruler sent to an Alertmanager, failed or not.", labels=("user", "alertmanager")),
)
TEMPO_METRICS = (
    Metric(name="tempo_discarded_spans_total", type=MetricType.COUNTER, source=Source.TEMPO,
           help="Spans Tempo refused, by reason.", labels=("reason", "tenant")),
)
METRICS = GRAFANA_METRICS + COLLECTOR_METRICS + LOKI_METRICS + TEMPO_METRICS

GRAFANA_HANDLERS = 'handler!~"/api/datasources/proxy/:id.*|/api/ds/query|/api/tsdb/query"'
"""Grafana's data-source proxies pass on the data source's own errors: kube-prometheus leaves them out."""
GRAFANA_ERRORS = f'grafana_http_request_duration_seconds_count{{{GRAFANA_HANDLERS},status_code=~"5.."}}'
GRAFANA_REQUESTS = f"grafana_http_request_duration_seconds_count{{{GRAFANA_HANDLERS}}}"
GRAFANA_ERROR_RATIO = (f"100 * sum by (job, instance, handler) (rate({GRAFANA_ERRORS}[5m]))"
                       f" / sum by (job, instance, handler) (rate({GRAFANA_REQUESTS}[5m]))")
"""Per Grafana handler, the share of requests answered with a server error, in percent (kube-prometheus)."""
EXPORT_FAILURES = tuple(f"otelcol_exporter_{kind}_failed_{signal}_total"
                        for kind in ("send", "enqueue") for signal in ("spans", "log_records"))
REFUSALS = ("otelcol_receiver_refused_spans_total", "otelcol_receiver_refused_log_records_total")
LOKI_SEND_RATIO = ("min without (alertmanager) (rate(loki_prometheus_notifications_errors_total[5m]) "
                   "/ rate(loki_prometheus_notifications_sent_total[5m])) * 100")


def losing(metrics: tuple[str, ...], by: str) -> str:
    """Some of these counters grew within the last 5 minutes, per `by`: data lost now (one term per counter)."""
    return " or ".join(f"sum by ({by}) (increase({metric}[5m])) > 0" for metric in metrics)


def _losing_examples(series: str, labels: dict[str, str], for_: int) -> tuple[Example, ...]:
    """A counter of lost items: losing for `for_` + 5 minutes fires; idle, one burst, a reset or a gap does not."""
    at = f"{for_ + 10}m"
    steps = for_ + 15
    return (
        Example(name="losing data steadily fires", at=at, fires=True, labels=labels,
                series={series: f"0+5x{steps}"}),
        Example(name="a quiet night (counter flat) does not", at=at, fires=False, series={series: f"3x{steps}"}),
        Example(name="one burst, then nothing, does not", at=at, fires=False,
                series={series: f"0x5 40x{steps - 5}"}),
        Example(name="a restart (counter back to 0) while losing still fires", at=at, fires=True, labels=labels,
                series={series: f"0+5x{for_ // 2} 0+5x{steps - for_ // 2}"}),
        Example(name="a series vanished (restarted, nothing lost since) does not", at=at, fires=False,
                series={series: f"0+5x5 _x{steps - 5}"}),
    )


def pipeline_alerts(dashboard: str = "") -> tuple[Alert, ...]:
    """Grafana's, the collector's, Loki's and Tempo's own failures, opening `dashboard`."""
    collector = '{job="otel-collector",instance="otel-collector:8888"'
    alerts = (
        meta_alert(
            "GrafanaRequestsFailing", f"{GRAFANA_ERROR_RATIO} > 50", "5m", "warning",
            "Grafana answers {{ printf \"%.0f\" $value }}% of {{ $labels.handler }} requests with errors",
            "More than half of Grafana's {{ $labels.handler }} requests fail: dashboards or their API do not load.",
            "Read Grafana's log for the handler's error; check its database (grafana-data volume) and that "
            "provisioning loaded (`/api/health`).",
            *(Example(name="every dashboard request failing for 10 minutes fires", at="10m", fires=True, value=100,
                     labels={"job": "grafana", "instance": "grafana:3000", "handler": "/api/dashboards/uid/:uid"},
                     series={'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/dashboards/uid/:uid",status_code="500"}': "0+6x15",
                             'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/health",status_code="200"}': "0+6x15"}),
             Example(name="a data source's own errors through the proxy do not", at="10m", fires=False,
                     series={'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/ds/query",status_code="500"}': "0+6x15"}),
             Example(name="a quiet night (no requests) does not", at="10m", fires=False,
                     series={'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/dashboards/uid/:uid",status_code="500"}': "4x15"}),
             Example(name="one in ten failing does not", at="10m", fires=False,
                     series={'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/search",status_code="500"}': "0+1x15",
                             'grafana_http_request_duration_seconds_count{job="grafana",instance="grafana:3000",'
                             'handler="/api/search",status_code="200"}': "0+9x15"})),
        ),
        meta_alert(
            "OtelCollectorRefusingData", losing(REFUSALS, "job, instance, receiver"), "10m", "warning",
            # the job names the build: the collector, or Jaeger (v2 is a collector build, with the same metrics)
            "{{ $labels.job }} receiver {{ $labels.receiver }} refuses spans or log records",
            "The collector turns telemetry away at {{ $labels.receiver }} (usually memory_limiter under pressure): "
            "senders that do not retry lose it, traces and logs go missing.",
            "Compare otelcol_process_memory_rss with memory_limiter's limit; find the sender whose volume jumped, or "
            "give the collector more memory.",
            *_losing_examples(f'otelcol_receiver_refused_spans_total{collector},receiver="otlp",transport="grpc"}}',
                             {"job": "otel-collector", "instance": "otel-collector:8888", "receiver": "otlp"}, 10),
            Example(name="Jaeger's own receiver refusing spans fires too", at="20m", fires=True,
                    labels={"job": "jaeger", "instance": "jaeger:8888", "receiver": "otlp"},
                    series={'otelcol_receiver_refused_spans_total{job="jaeger",instance="jaeger:8888",receiver="otlp",'
                            'transport="grpc"}': "0+5x25"}),
        ),
        meta_alert(
            "OtelCollectorExportFailing", losing(EXPORT_FAILURES, "job, instance, exporter"), "15m", "warning",
            "{{ $labels.job }} exporter {{ $labels.exporter }} fails to send",
            "Spans or log records fail to leave through {{ $labels.exporter }}, or its full sending queue refuses "
            "them: what the retries cannot send is lost for Tempo, Jaeger or Loki.",
            "Check the exporter's backend is up and reachable from the collector (its log names the error); a full "
            "queue with no send errors means more traffic than the backend takes.",
            *_losing_examples(f'otelcol_exporter_send_failed_spans_total{collector},exporter="otlp_grpc/tempo"}}',
                             {"job": "otel-collector", "instance": "otel-collector:8888",
                              "exporter": "otlp_grpc/tempo"}, 15),
        ),
        meta_alert(
            "OtelCollectorTracesDroppedTooEarly",
            losing(("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total",), "job, instance"),
            "10m", "warning", "The tail sampler evicts traces before deciding on them",
            "More traces arrive than tail_sampling's num_traces holds for its decision_wait: evicted traces are "
            "dropped whole, critical and failed ones included.",
            "Compare the trace rate with num_traces / decision_wait in out/otelcol/config.yaml; raise the declared "
            "traffic in definitions/tracing.py so num_traces is sized for it.",
            *_losing_examples(
                f"otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total{collector}}}",
                {"job": "otel-collector", "instance": "otel-collector:8888"}, 10),
        ),
        meta_alert(
            "LokiDiscardingSamples", losing(("loki_discarded_samples_total",), "job, instance, tenant, reason"),
            "15m", "warning", "Loki discards log lines ({{ $labels.reason }})",
            "Loki refuses log lines of tenant {{ $labels.tenant }} for {{ $labels.reason }}: they are lost, and the "
            "log alerts cannot see them.",
            "The reason names the limit (rate_limited, line_too_long, greater_than_max_sample_age...): raise it in "
            "Loki's limits_config or fix the sender.",
            *_losing_examples('loki_discarded_samples_total{job="loki",instance="loki:3100",tenant="fake",'
                             'reason="rate_limited"}',
                             {"job": "loki", "instance": "loki:3100", "tenant": "fake", "reason": "rate_limited"}, 15),
        ),
        meta_alert(
            "LokiRulerEvaluationFailures",
            losing(("loki_prometheus_rule_evaluation_failures_total",), "job, instance, rule_group"), "15m",
            "critical", "Loki's ruler fails to evaluate {{ $labels.rule_group }}",
            "The LogQL rules of {{ $labels.rule_group }} fail: the log alerts they define (RagEngineTimeouts among "
            "them) cannot fire.",
            "Open Loki's /loki/api/v1/rules and its log for the rule's error; run the LogQL in Grafana's Explore.",
            *_losing_examples('loki_prometheus_rule_evaluation_failures_total{job="loki",instance="loki:3100",'
                             'user="fake",rule_group="logs"}',
                             {"job": "loki", "instance": "loki:3100", "rule_group": "logs"}, 15),
        ),
        meta_alert(
            "LokiRulerNotificationErrors", f"{LOKI_SEND_RATIO} > 3", "15m", "critical",
            "Loki's ruler fails to send {{ printf \"%.0f\" $value }}% of its alerts",
            "Log alerts fire in Loki's ruler but fail at every Alertmanager: nobody is told.",
            "Check the ruler's alertmanager_url in out/loki/loki.yaml and that both Alertmanagers answer from Loki; "
            "Loki's log names the error.",
            *(Example(name="failing at both Alertmanagers for 20 minutes fires", at="20m", fires=True, value=100,
                     labels={"job": "loki", "instance": "loki:3100", "user": "fake"},
                     series={f'loki_prometheus_notifications_{kind}_total{{job="loki",instance="loki:3100",'
                             f'user="fake",alertmanager="http://am-{n}:9093/api/v2/alerts"}}': "0+2x25"
                             for kind in ("errors", "sent") for n in (1, 2)}),
             Example(name="one of the pair failing does not", at="20m", fires=False,
                     series={f'loki_prometheus_notifications_{kind}_total{{job="loki",instance="loki:3100",'
                             f'user="fake",alertmanager="http://am-{n}:9093/api/v2/alerts"}}':
                             "0x25" if (kind, n) == ("errors", 2) else "0+2x25"
                             for kind in ("errors", "sent") for n in (1, 2)}),
             Example(name="a quiet night (no log alert to send) does not", at="20m", fires=False,
                     series={'loki_prometheus_notifications_errors_total{job="loki",instance="loki:3100",'
                             'user="fake",alertmanager="http://am-1:9093/api/v2/alerts"}': "2x25",
                             'loki_prometheus_notifications_sent_total{job="loki",instance="loki:3100",'
                             'user="fake",alertmanager="http://am-1:9093/api/v2/alerts"}': "2x25"})),
        ),
        meta_alert(
            "TempoDiscardingSpans", losing(("tempo_discarded_spans_total",), "job, instance, tenant, reason"), "15m",
            "warning", "Tempo discards spans ({{ $labels.reason }})",
            "Tempo refuses spans of tenant {{ $labels.tenant }} for {{ $labels.reason }}: the traces they belong to "
            "are incomplete or missing, and its span metrics undercount.",
            "The reason names the limit (rate_limited, trace_too_large, live_traces_exceeded...): raise it in "
            "Tempo's overrides or find the service sending the oversized traces.",
            *_losing_examples('tempo_discarded_spans_total{job="tempo",instance="tempo:3200",'
                             'tenant="single-tenant",reason="rate_limited"}',
                             {"job": "tempo", "instance": "tempo:3200", "tenant": "single-tenant",
                              "reason": "rate_limited"}, 15),
        ),
    )
    return on_dashboard(alerts, dashboard)


def backend_inhibitions(backends: dict[str, str], equal: tuple[str, ...] = ()) -> tuple[Inhibition, ...]:
    """While a backend's scrape job is down (TargetDown), the collector failing to export to it is that one outage,
    told once: `backends` maps a collector exporter (model.tracing's TEMPO_EXPORTER) to the job scraping its
    backend; `equal` (the stack's external labels) keeps one Prometheus' TargetDown to its own collector's alerts.
    Once the backend is back, an export alert still firing (its 5-minute window) is notified, then resolves."""
    return tuple(Inhibition(name=f"{job} down mutes {exporter}", source={"alertname": "TargetDown", "job": job},
                            target={"alertname": "OtelCollectorExportFailing", "exporter": exporter}, equal=equal)
                 for exporter, job in sorted(backends.items()))
