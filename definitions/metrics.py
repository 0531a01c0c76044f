"""SYSTEM_METRICS, BUSINESS_METRICS and METRICS_CONFIG["aggregation"] of the plan.

The plan names metrics by what they mean (cpu_usage, memory_usage, conversion_rate); the stack
exports other names. Each meaning becomes a recording rule over the real series, so every name an
alert or a panel reads is defined here.
"""

from generator.model import Aggregation, AggregationPolicy, Metric, MetricType, RecordingRule, Source

COUNTER, GAUGE, HISTOGRAM = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM
NODE, APP = Source.NODE_EXPORTER, Source.APPLICATION

# --- SYSTEM_METRICS["infrastructure"]: node-exporter series ---------------------------------------
node_cpu_seconds = Metric(name="node_cpu_seconds_total", type=COUNTER, source=NODE, unit="seconds",
                          help="Seconds each CPU spent in each mode.", labels=("cpu", "mode"),
                          plan_name="cpu_usage_per_core")
node_memory_available = Metric(name="node_memory_MemAvailable_bytes", type=GAUGE, source=NODE, unit="bytes",
                               help="Memory available for new work.", plan_name="memory_usage_detailed")
node_memory_total = Metric(name="node_memory_MemTotal_bytes", type=GAUGE, source=NODE, unit="bytes",
                           help="Total usable memory.")
node_disk_reads = Metric(name="node_disk_reads_completed_total", type=COUNTER, source=NODE,
                         help="Reads completed per device.", labels=("device",), plan_name="disk_io_operations")
node_disk_writes = Metric(name="node_disk_writes_completed_total", type=COUNTER, source=NODE,
                          help="Writes completed per device.", labels=("device",), plan_name="disk_io_operations")
node_network_receive = Metric(name="node_network_receive_bytes_total", type=COUNTER, source=NODE, unit="bytes",
                              help="Bytes received per interface.", labels=("device",),
                              plan_name="network_throughput")
node_network_transmit = Metric(name="node_network_transmit_bytes_total", type=COUNTER, source=NODE, unit="bytes",
                               help="Bytes sent per interface.", labels=("device",), plan_name="network_throughput")
node_procs_running = Metric(name="node_procs_running", type=GAUGE, source=NODE, help="Processes running.", whole=True,
                            plan_name="process_count")
node_filesystem_avail = Metric(name="node_filesystem_avail_bytes", type=GAUGE, source=NODE, unit="bytes",
                               help="Filesystem space available to non-root users.",
                               labels=("device", "fstype", "mountpoint"))
node_filesystem_size = Metric(name="node_filesystem_size_bytes", type=GAUGE, source=NODE, unit="bytes",
                              help="Filesystem size.", labels=("device", "fstype", "mountpoint"))
node_filesystem_readonly = Metric(name="node_filesystem_readonly", type=GAUGE, source=NODE, whole=True,
                                  help="1 while the filesystem is mounted read-only.",
                                  labels=("device", "fstype", "mountpoint"))
HOST_OF_INSTANCE = (
    "`{{ $labels.instance }}` is node-exporter's address as Prometheus scrapes it (host:9100); the host is the machine "
    "at the address before the port: in the compose stack (node-exporter:9100) the Docker host itself, in Kubernetes "
    "the node of that IP (node-exporter runs on the node's network: `kubectl get nodes -o wide` lists their addresses)"
)
"""Which machine a host alert's `instance` is, for its runbook's commands run there (node-exporter has no
per-process series: which process is busy or large only the host itself tells)."""
node_load1 = Metric(name="node_load1", type=GAUGE, source=NODE, help="1-minute load average.")

# --- SYSTEM_METRICS["application"]: exposed by the services with prometheus-client ------------------
# Each route's answered-200 series, created at 0 when the service starts (the demo does, generator/live/demo):
# after a deploy on a quiet night the SLOs' inputs exist, so their SLIAbsent alerts stay silent until the first
# request, and still page when a crash, a failed scrape or a rename takes the series away.
ROUTES_AT_START = tuple({"service": "api", "endpoint": endpoint, "method": method, "status": "200"}
                        for endpoint, method in (("/api/products", "GET"), ("/api/search", "GET"),
                                                 ("/api/checkout", "POST")))
http_request_duration = Metric(
    name="http_request_duration_seconds", type=HISTOGRAM, source=APP, unit="seconds",
    help="Time to serve an HTTP request.", labels=("service", "endpoint", "method", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), plan_name="request_duration_detailed",
    initial_labels=ROUTES_AT_START,
)
http_requests = Metric(name="http_requests_total", type=COUNTER, source=APP, help="HTTP requests served.",
                       labels=("service", "endpoint", "method", "status"), plan_name="error_rate_by_endpoint",
                       initial_labels=ROUTES_AT_START)
active_connections = Metric(name="http_active_connections", type=GAUGE, source=APP,
                            help="Open client connections.", labels=("service",), whole=True,
                            plan_name="active_connections_per_service")
cache_requests = Metric(name="cache_requests_total", type=COUNTER, source=APP, help="Cache lookups by result.",
                        labels=("cache_type", "result"), plan_name="cache_hit_ratio_by_type")
queue_depth = Metric(name="queue_depth", type=GAUGE, source=APP, help="Jobs waiting per queue.",
                     labels=("queue",), plan_name="queue_depth", whole=True)

# --- BUSINESS_METRICS: sales, user experience, RAG performance ----------------------------------
sales_conversions = Metric(name="sales_conversions_total", type=COUNTER, source=APP,
                           help="Sessions that ended in an order.", labels=("product_category", "user_segment"),
                           plan_name="sales_conversion")
sales_sessions = Metric(name="sales_sessions_total", type=COUNTER, source=APP, help="Shopping sessions started.",
                        labels=("user_segment",))
revenue = Metric(name="revenue_total", type=COUNTER, source=APP, unit="currency",
                 help="Revenue of completed orders.", labels=("product_category",), plan_name="revenue")
product_views = Metric(name="product_views_total", type=COUNTER, source=APP, help="Product page views.",
                       labels=("product_category",), plan_name="product_views")
product_sales = Metric(name="product_sales_total", type=COUNTER, source=APP, help="Units sold per product.",
                       labels=("product",), plan_name="product_sales")
carts_abandoned = Metric(name="carts_abandoned_total", type=COUNTER, source=APP,
                         help="Carts abandoned before checkout.", plan_name="cart_abandonment_rate")
carts_created = Metric(name="carts_created_total", type=COUNTER, source=APP, help="Carts created.")
revenue_per_user = Metric(name="revenue_per_user", type=HISTOGRAM, source=APP, unit="currency",
                          help="Order value per user.", buckets=(5, 10, 25, 50, 100, 250, 500),
                          plan_name="revenue_per_user")
recommendation_accuracy = Metric(name="recommendation_accuracy", type=HISTOGRAM, source=APP, unit="ratio",
                                 help="Precision of served recommendations.",
                                 buckets=(0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99),
                                 plan_name="recommendation_accuracy")
user_satisfaction = Metric(name="user_satisfaction_score", type=GAUGE, source=APP,
                           help="User satisfaction score, 1 to 10.", plan_name="user_satisfaction")
page_load_time = Metric(name="page_load_time_seconds", type=HISTOGRAM, source=APP, unit="seconds",
                        help="Page load time seen by browsers.", buckets=(0.25, 0.5, 1, 2, 4, 8),
                        plan_name="page_load_time")
feature_usage = Metric(name="feature_usage_total", type=COUNTER, source=APP, help="Feature uses.",
                       labels=("feature",), plan_name="feature_usage")
session_duration = Metric(name="session_duration_seconds", type=HISTOGRAM, source=APP, unit="seconds",
                          help="Session length.", buckets=(30, 60, 300, 900, 1800, 3600),
                          plan_name="session_duration")
search_accuracy = Metric(name="rag_search_accuracy", type=HISTOGRAM, source=APP, unit="ratio",
                         help="Relevance of retrieved passages.", buckets=(0.5, 0.7, 0.8, 0.9, 0.95),
                         plan_name="search_accuracy")
recommendation_relevance = Metric(name="rag_recommendation_relevance", type=GAUGE, source=APP, unit="ratio",
                                  help="Relevance of recommendations.", plan_name="recommendation_relevance")
knowledge_base_coverage = Metric(name="rag_knowledge_base_coverage", type=GAUGE, source=APP, unit="ratio",
                                 help="Share of questions the knowledge base covers.",
                                 plan_name="knowledge_base_coverage")
query_complexity = Metric(name="rag_query_complexity", type=HISTOGRAM, source=APP,
                          help="Complexity score of RAG queries.", buckets=(1, 2, 4, 8, 16),
                          plan_name="query_complexity")
rag_queries = Metric(name="rag_queries_total", type=COUNTER, source=APP, help="RAG queries answered.",
                     labels=("status",))

# --- The plan's names, as recording rules over the real series ---------------------------------
cpu_usage = RecordingRule(
    name="instance:cpu_usage:percent", plan_name="cpu_usage", unit="percent",
    help="Busy CPU share per instance.",
    expr='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
)
memory_usage = RecordingRule(
    name="instance:memory_usage:percent", plan_name="memory_usage", unit="percent",
    help="Used memory share per instance.",
    expr="100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
)
conversion_rate = RecordingRule(
    name="job:conversion_rate:ratio_rate10m", plan_name="conversion_rate", unit="ratio",
    help="Orders per shopping session over the last 10 minutes (0 while sessions go on and no order is counted).",
    # `or ... 0 *`: when checkout breaks the order counters may never be written again; without the
    # fallback the ratio would vanish with them and its alert resolve, instead of reading 0.
    expr="(sum by (job) (rate(sales_conversions_total[10m]))"
         " or on (job) 0 * sum by (job) (rate(sales_sessions_total[10m])))"
         " / (sum by (job) (rate(sales_sessions_total[10m])) > 0)",
)
revenue_hourly = RecordingRule(
    name="job:revenue:increase1h", plan_name="revenue_hourly", unit="currency",
    help="Revenue over the last hour.", expr="sum by (job) (increase(revenue_total[1h]))",
)
revenue_hourly_last_week = RecordingRule(
    name="job:revenue:increase1h_offset1w", unit="currency",
    help="Revenue over the same hour a week ago: the seasonal baseline RevenueDrop compares with.",
    # From the raw counters, not job:revenue:increase1h offset 1w, so it needs no recorded past.
    expr="sum by (job) (increase(revenue_total[1h] offset 1w))",
)
cart_abandonment = RecordingRule(
    name="job:cart_abandonment:ratio_rate1h", plan_name="cart_abandonment_rate", unit="ratio",
    help="Abandoned carts per created cart over the last hour.",
    expr="sum by (job) (rate(carts_abandoned_total[1h])) / (sum by (job) (rate(carts_created_total[1h])) > 0)",
)
request_rate = RecordingRule(
    name="service:http_requests:rate5m", plan_name="requests_per_second", unit="reqps",
    help="Requests per second per service.", expr="sum by (service) (rate(http_requests_total[5m]))",
)
error_ratio = RecordingRule(
    name="service:http_errors:ratio_rate5m", plan_name="error_rate_by_service", unit="ratio",
    help="Share of requests answered with a 5xx per service (0, not nothing, while none fails).",
    expr='(sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))'
         " or on (service) 0 * sum by (service) (rate(http_requests_total[5m])))"
         " / (sum by (service) (rate(http_requests_total[5m])) > 0)",
)
# --- What the Development and Operations dashboards read, summed over pods ---------------------------
# Their latency and request-rate panels rated every pod's raw series at each step: 19,200 bucket series at 40
# pods, and Development loaded in 5.3 s, Operations in 6.0 s (bench/dashboard_volume.py), where the plan asks
# for 2 s. These keep every label a panel groups or filters by and no pod's, so their size does not grow with
# pods. Window 1m: 4 scrape intervals, the shortest that always holds two samples, and $__rate_interval at the
# dashboards' default hour; panels average them over $__interval so a longer range skips no sample.
request_duration_buckets_rate = RecordingRule(
    name="job_service_endpoint_le:http_request_duration_seconds_bucket:rate1m", group="dashboards",
    help="Requests per second per latency bucket (cumulative le), per job, service and endpoint.",
    expr="sum by (job, service, endpoint, le) (rate(http_request_duration_seconds_bucket[1m]))",
)
request_status_rate = RecordingRule(
    name="job_service_endpoint_status:http_requests:rate1m", group="dashboards", unit="reqps",
    help="Requests per second per job, service, endpoint and status.",
    expr="sum by (job, service, endpoint, status) (rate(http_requests_total[1m]))",
)
cache_hit_ratio = RecordingRule(
    name="cache_type:cache_hit:ratio_rate5m", plan_name="cache_hit_ratio_by_type", unit="ratio",
    help="Cache hits per lookup by cache type.",
    expr='sum by (cache_type) (rate(cache_requests_total{result="hit"}[5m]))'
         " / (sum by (cache_type) (rate(cache_requests_total[5m])) > 0)",
)

# --- METRICS_CONFIG["aggregation"]: levels x functions ---------------------------------------------
AGGREGATION = AggregationPolicy(
    name="plan",
    metrics=(http_request_duration,),
    by=("service",),
    windows=("1m", "5m", "15m", "1h", "1d"),
    functions=(Aggregation.AVG, Aggregation.MIN, Aggregation.MAX, Aggregation.P50, Aggregation.P95,
               Aggregation.P99),
)
BUSINESS_AGGREGATION = AggregationPolicy(
    name="business",
    metrics=(user_satisfaction, recommendation_relevance),
    by=("job",),
    windows=("1h", "1d"),
    functions=(Aggregation.AVG, Aggregation.MIN, Aggregation.MAX),
)
