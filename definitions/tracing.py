"""TRACING_CONFIG of the plan: the services, their traffic, and how traces are sampled and exported.

sampling.rate 0.1 -> default_ratio; critical_endpoints 1.0 -> every endpoint marked critical is kept
whole; error_requests 1.0 -> every trace with an error span is kept; the plan's exporters and
attributes blocks as written. Traffic is the declared peak, from which the collector's tail-sampling
buffers are sized and the share of critical requests traced is computed (`obsgen check`).
"""

from generator.model import (
    Alert,
    Endpoint,
    Example,
    Metric,
    MetricType,
    RecordingRule,
    RequiredAttribute,
    ScrapeJob,
    Service,
    Source,
    TraceExporter,
    TraceStorage,
    TracingPolicy,
)
from generator.model.tracing import critical_routes

API = Service(
    name="api",
    version="7.0.0",
    endpoints=(
        Endpoint(route="/api/checkout", requests_per_second=12, critical=True, error_ratio=0.02,
                 spans_per_request=14, timeout="10s"),
        Endpoint(route="/api/payments", requests_per_second=10, critical=True, error_ratio=0.03,
                 spans_per_request=10, timeout="15s"),
        Endpoint(route="/api/orders", requests_per_second=15, critical=True, error_ratio=0.01,
                 spans_per_request=8),
        Endpoint(route="/api/cart", requests_per_second=40, spans_per_request=6, timeout="5s"),
        Endpoint(route="/api/products/{id}", requests_per_second=200, spans_per_request=5, timeout="5s"),
        Endpoint(route="/api/search", requests_per_second=80, spans_per_request=18, timeout="15s"),
        Endpoint(route="/api/recommendations", requests_per_second=60, spans_per_request=12, timeout="10s"),
    ),
)
RAG_ENGINE = Service(name="rag-engine", version="7.0.0")  # called by api; its spans join api's traces

TRACING = TracingPolicy(
    default_ratio=0.1,  # sampling.rate
    critical_ratio=1.0,  # sampling.critical_endpoints
    errors_ratio=1.0,  # sampling.error_requests
    slow_threshold="2s",
    required_attributes=(
        RequiredAttribute(name="user_id"),
        RequiredAttribute(name="session_id"),
        RequiredAttribute(name="request_id"),
        RequiredAttribute(name="service_version", key="service.version", scope="resource"),
    ),
    exporters=(
        TraceExporter(name="jaeger", protocol="jaeger", endpoint="http://jaeger:14268/api/traces", enabled=True),
        TraceExporter(name="zipkin", protocol="zipkin", endpoint="http://zipkin:9411/api/v2/spans", enabled=False),
    ),
    coverage_target=0.8,  # success target: over 80% of critical requests traced
    collector_memory_mib=2048,  # the compose stack gives the collector 2 GiB
)

TRACE_STORAGE = TraceStorage(retention="14d", backend="local")

# --- The collector's span metrics, computed from every span before sampling -----------------------
SPAN_LABELS = ("service_name", "span_name", "span_kind", "status_code", "http_route")
span_calls = Metric(name="traces_span_metrics_calls_total", type=MetricType.COUNTER, source=Source.OTEL_COLLECTOR,
                    help="Spans seen by the collector, before sampling.", labels=SPAN_LABELS)
span_duration = Metric(name="traces_span_metrics_duration_milliseconds", type=MetricType.HISTOGRAM,
                       source=Source.OTEL_COLLECTOR, unit="milliseconds", labels=SPAN_LABELS,
                       help="Span durations seen by the collector, before sampling.",
                       buckets=(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000))

route_request_rate = RecordingRule(
    name="service_route:traces_span_metrics_calls:rate5m", unit="reqps",
    help="Server requests per second per route, from every span (exact, not sampled).",
    expr='sum by (service_name, http_route) (rate(traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER"}[5m]))',
)
route_error_ratio = RecordingRule(
    name="service_route:traces_span_errors:ratio_rate5m", unit="ratio",
    help="Share of server spans with an error status per route.",
    expr='sum by (service_name, http_route) (rate(traces_span_metrics_calls_total'
         '{span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}[5m]))'
         ' / (sum by (service_name, http_route)'
         ' (rate(traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER"}[5m])) > 0)',
)
route_latency_p95 = RecordingRule(
    name="service_route:traces_span_duration_milliseconds:p95_5m", unit="ms",
    help="95th percentile server span duration per route.",
    expr="histogram_quantile(0.95, sum by (service_name, http_route, le) "
         '(rate(traces_span_metrics_duration_milliseconds_bucket{span_kind="SPAN_KIND_SERVER"}[5m])))',
)

# --- Runtime trace coverage: kept critical spans (Tempo, after sampling) / all of them (collector, before) --------
CRITICAL = ('span_kind="SPAN_KIND_SERVER",http_route=~"'
            + "|".join(critical_routes([API, RAG_ENGINE])) + '"')
SEEN = f"sum by (service_name, http_route) (rate(traces_span_metrics_calls_total{{{CRITICAL}}}[10m]))"
kept_calls = Metric(name="traces_spanmetrics_calls_total", type=MetricType.COUNTER, source=Source.TEMPO,
                    help="Spans of the traces tail sampling kept, counted by Tempo's metrics-generator.",
                    labels=("service", "span_name", "span_kind", "status_code", "http_route"))
# Tempo's span metrics name the service `service`; a route with no kept span at all reads 0, not nothing
KEPT = ('sum by (service_name, http_route) (label_replace(rate(traces_spanmetrics_calls_total'
        f'{{{CRITICAL}}}[10m]), "service_name", "$1", "service", "(.*)"))')
critical_trace_coverage = RecordingRule(
    name="service_route:critical_traces_kept:ratio_rate10m", unit="ratio",
    help="Share of critical-route server spans whose trace Tempo kept (after tail sampling) among those the collector "
         "saw (before it); absent while a route has no traffic.",
    expr=f"({KEPT} or on (service_name, http_route) 0 * {SEEN}) / ({SEEN} > 0)",
)
TEMPO_DOWN = 'max(up{job="tempo"}) == 0'
SEEN_CHECKOUT, SEEN_CART = (f'traces_span_metrics_calls_total{{service_name="api",span_kind="SPAN_KIND_SERVER",'
                             f'http_route="{route}"}}' for route in ("/api/checkout", "/api/cart"))
KEPT_CHECKOUT, KEPT_CART = (f'traces_spanmetrics_calls_total{{service="api",span_kind="SPAN_KIND_SERVER",'
                            f'http_route="{route}"}}' for route in ("/api/checkout", "/api/cart"))
"""A critical and a sampled route's spans as the collector and Tempo count them, in the examples."""
trace_coverage_low = Alert(
    name="TraceCoverageLow",
    expr=f"{critical_trace_coverage.name} < {TRACING.coverage_target} unless on () ({TEMPO_DOWN})",
    # Tempo counts a kept span up to a minute after the collector (decision wait, batch, its ingestion slack) and
    # a restart of either empties the 10-minute window: 30 minutes below target is coverage lost, not lag
    **{"for": "30m"}, severity="warning", group="meta-monitoring", dashboard="Meta-monitoring",
    summary=f"Only {{{{ $value | humanizePercentage }}}} of {{{{ $labels.http_route }}}} requests traced "
            f"(target {TRACING.coverage_target * 100:g}%)",
    description="Fewer than the plan's 80% of the requests to critical route {{ $labels.http_route }} "
                "({{ $labels.service_name }}) have their trace in Tempo: the collector refuses, evicts or fails to "
                "export them, or Tempo discards them. Silent while Tempo is down (TargetDown tells).",
    runbook="Look at the collector and Tempo panels of Meta-monitoring for which step loses spans "
            "(OtelCollectorRefusingData, OtelCollectorTracesDroppedTooEarly, OtelCollectorExportFailing, "
            "TempoDiscardingSpans); check the route's spans still carry http.route.",
    examples=(
        Example(name="half the checkout traces kept for 40 minutes fires", at="45m", fires=True, value=0.5,
                labels={"service_name": "api", "http_route": "/api/checkout"},
                series={SEEN_CHECKOUT: "0+600x50",
                        KEPT_CHECKOUT: "0+300x50",
                        'up{job="tempo"}': "1x50"}),
        Example(name="every trace kept does not", at="45m", fires=False,
                series={SEEN_CHECKOUT: "0+600x50", KEPT_CHECKOUT: "0+600x50"}),
        Example(name="Tempo keeping nothing (its series gone) fires at 0", at="45m", fires=True, value=0,
                labels={"service_name": "api", "http_route": "/api/checkout"},
                series={SEEN_CHECKOUT: "0+600x50", 'up{job="tempo"}': "1x50"}),
        Example(name="Tempo down is TargetDown's page, not this one", at="45m", fires=False,
                series={SEEN_CHECKOUT: "0+600x50", 'up{job="tempo"}': "0x50"}),
        Example(name="a quiet night with no critical request does not", at="45m", fires=False,
                series={SEEN_CHECKOUT: "40x50", KEPT_CHECKOUT: "10x50"}),
        Example(name="a non-critical route sampled at 10% does not", at="45m", fires=False,
                series={SEEN_CART: "0+600x50", KEPT_CART: "0+60x50"}),
        Example(name="Tempo restarted (its counters new, 10 minutes short) does not", at="45m", fires=False,
                series={SEEN_CHECKOUT: "0+600x50",
                        KEPT_CHECKOUT: "0+600x25 _x3 0+600x22",
                        'up{job="tempo"}': "1x25 0x3 1x22"}),
    ),
)

SCRAPE_JOBS = [
    ScrapeJob(name="otel-collector-span-metrics", source=Source.OTEL_COLLECTOR, targets=("otel-collector:8889",)),
    ScrapeJob(name="otel-collector", source=Source.OTEL_COLLECTOR, targets=("otel-collector:8888",)),
    ScrapeJob(name="tempo", source=Source.TEMPO, targets=("tempo:3200",)),
    # the exporter's backend in the compose stack: its own telemetry (JAEGER_TELEMETRY_PORT), TargetDown's up
    ScrapeJob(name="jaeger", source=Source.JAEGER, targets=("jaeger:8888",)),
]
