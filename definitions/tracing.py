"""TRACING_CONFIG of the plan: the services, their traffic, and how traces are sampled and exported.

sampling.rate 0.1 -> default_ratio; critical_endpoints 1.0 -> every endpoint marked critical is kept
whole; error_requests 1.0 -> every trace with an error span is kept; the plan's exporters and
attributes blocks as written. Traffic is the declared peak, from which the collector's tail-sampling
buffers are sized and the share of critical requests traced is computed (`obsgen check`).
"""

from generator.model import (
    Endpoint,
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
         ' / sum by (service_name, http_route)'
         ' (rate(traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER"}[5m]))',
)
route_latency_p95 = RecordingRule(
    name="service_route:traces_span_duration_milliseconds:p95_5m", unit="ms",
    help="95th percentile server span duration per route.",
    expr="histogram_quantile(0.95, sum by (service_name, http_route, le) "
         '(rate(traces_span_metrics_duration_milliseconds_bucket{span_kind="SPAN_KIND_SERVER"}[5m])))',
)

SCRAPE_JOBS = [
    ScrapeJob(name="otel-collector-span-metrics", source=Source.OTEL_COLLECTOR, targets=("otel-collector:8889",)),
    ScrapeJob(name="otel-collector", source=Source.OTEL_COLLECTOR, targets=("otel-collector:8888",)),
    ScrapeJob(name="tempo", source=Source.TEMPO, targets=("tempo:3200",)),
]
