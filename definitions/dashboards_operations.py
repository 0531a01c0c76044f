"""OPERATIONS_DASHBOARD and DASHBOARD_CONFIG["dashboards"]["operations"]: health, performance, errors."""


from generator.model import (
    Dashboard,
    ExploreLink,
    Panel,
    Query,
    RecordingRule,
    Row,
    ValueText,
    instance_variable,
    job_variable,
)

from .forecasts import DISK, MEMORY
from .logs import ERROR_LOG_LINES, ERROR_LOG_RATE, RAG_TIMEOUT_LINES, TIMEOUT_LOG_RATE
from .metrics import cpu_usage, memory_usage, request_duration_buckets_rate, request_status_rate
from .stack import SCRAPE_JOBS

RATE = "[$__rate_interval]"
JOB = 'job=~"$job"'
INSTANCE = 'instance=~"$instance"'
FAILING = f'{JOB},status=~"5.."'
REAL_FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs"'  # as DiskAlmostFull reads them: memory and image layers left out
PHYSICAL_DISKS = 'device!~"dm-.+|md.+"'  # device-mapper (LVM, LUKS) and md RAID volumes sit on disks counted already
PLAN_SERVICES = ("api", "cache", "database", "load_balancer")
"""The services the plan's status grid shows; one no ScrapeJob scrapes shows NOT SCRAPED (and the build says so)."""
UNSCRAPED = tuple(service for service in PLAN_SERVICES if service not in {job.name for job in SCRAPE_JOBS})
UP_DOWN = (ValueText(value="1", text="UP", color="green"), ValueText(value="0", text="DOWN", color="red"),
           ValueText(value="-1", text="NOT SCRAPED", color="#8e8e8e"))


def recorded(rule: RecordingRule, matchers: str) -> str:
    """A recorded rate averaged over each step ($__interval): one sample per step at the dashboards' default hour
    (the rule's value itself), every sample of the step when zoomed out, so a long range skips none."""
    return f"avg_over_time({rule.name}{{{matchers}}}[$__interval])"


def requests(matchers: str = JOB, by: str = "service") -> str:
    """Requests per second per `by` label, from the recording summed over pods."""
    return f"sum by ({by}) ({recorded(request_status_rate, matchers)})"


def latency(quantile: float, by: str = "service", matchers: str = JOB) -> Query:
    """Request latency quantile per `by` label, from the bucket rates recorded over pods (trace_links() gives the
    panel its exemplars)."""
    return Query(expr=f"histogram_quantile({quantile}, sum by ({by}, le) "
                      f"({recorded(request_duration_buckets_rate, matchers)}))",
                 legend=f"p{round(quantile * 100)} {{{{{by}}}}}")


def trace_links(matchers: str = JOB) -> Query:
    """The exemplars of the raw latency histogram, which open their trace in Tempo: the panel's values come from a
    recording, which keeps none. Listed first: Grafana asks for a histogram's exemplars once per panel, for the
    first query naming it."""
    return Query(expr=f"http_request_duration_seconds_bucket{{{matchers}}}", exemplars_only=True)


def in_view(limit: float) -> dict[str, float]:
    """Panel soft limits reaching from 0 to past an alert's threshold, so that its line shows while the series is
    far under it (Grafana scales the axis to the series alone and draws no threshold outside it) and the distance
    from none to it reads at a glance."""
    return {"soft_min": 0.0, "soft_max": limit * 1.25}


API_ERROR_LIMIT = 50 / 300
"""Error lines a second where ApiErrorLogsHigh fires (50 in 5 minutes; SM019 holds the panel's line to it)."""
TIMEOUT_LIMIT = 20 / 600
"""Timeout lines a second where RagEngineTimeouts fires (20 in 10 minutes)."""

ERROR_RATE_LIMIT = 0.05
"""The share of 5xx answers Error Rates draws its red line at."""
NETWORK = 'device!="lo"'
"""The host's network traffic: not the loopback interface, which node-exporter reports beside the NICs."""


def per_instance(counter: str, legend: str, matchers: str = "") -> Query:
    """Per-second rate of a node-exporter counter, per selected instance (of the series the matchers keep)."""
    selector = ",".join(filter(None, (INSTANCE, matchers)))
    return Query(expr=f"sum by (instance) (rate({counter}{{{selector}}}{RATE}))", legend=f"{legend} {{{{instance}}}}")


OPERATIONS_DASHBOARD = Dashboard(
    name="Operations", plan_name="operations", folder="Operations", tags=("operations", "sre"),
    description="For the on-call engineer: is every service up, are CPU and memory saturated, how fast and how "
                "often do requests fail. Every alert of the system opens its panel here.",
    refresh="10s", time_range="1h", themes=("light", "dark", "auto"),
    variables=(job_variable(), instance_variable()),
    rows=(
        Row(title="System health", panels=(
            Panel(title="System Overview", kind="status_grid", plan_name="system_overview", value_texts=UP_DOWN,
                  unit="none", thresholds=((1, "green"),), width=24,
                  description="Whether Prometheus reaches each scrape target (1 up, 0 down), per job and instance; "
                              "a service of the plan that nothing scrapes shows NOT SCRAPED instead of vanishing.",
                  queries=(Query(expr=f"up{{{JOB},{INSTANCE}}}", legend="{{job}} {{instance}}"),
                           *(Query(expr=f'-1 * absent(up{{job="{service}"}})', legend=f"{service} (no scrape job)")
                             for service in UNSCRAPED))),
            Panel(title="CPU Usage", kind="line", unit="percent", min=0, max=100, thresholds=((90, "red"),),
                  description="Busy CPU share per instance; CpuHigh fires above 90% for 5 minutes.",
                  queries=Query(expr=f"{cpu_usage.name}{{{INSTANCE}}}", legend="{{instance}}")),
            Panel(title="Memory Usage", kind="line", unit="percent", min=0, max=100, thresholds=((95, "red"),),
                  description="Used memory share per instance; MemoryHigh fires above 95% for 2 minutes.",
                  queries=Query(expr=f"{memory_usage.name}{{{INSTANCE}}}", legend="{{instance}}")),
            Panel(title="Saturation", kind="line", unit="short",
                  description="Work waiting: jobs queued per queue, open connections per service, 1-minute load.",
                  queries=(Query(expr="sum by (queue) (queue_depth)", legend="queue {{queue}}"),
                           Query(expr="sum by (service) (http_active_connections)", legend="connections {{service}}"),
                           Query(expr=f"node_load1{{{INSTANCE}}}", legend="load1 {{instance}}"))),
            Panel(title="Network", kind="line", unit="Bps",
                  description="Bytes per second received and sent over the network, per instance.",
                  queries=(per_instance("node_network_receive_bytes_total", "received", NETWORK),
                           per_instance("node_network_transmit_bytes_total", "sent", NETWORK))),
        )),
        Row(title="Performance", panels=(
            Panel(title="Throughput", kind="line", plan_name="requests_per_second", unit="reqps",
                  description="Requests served per second, per service.",
                  queries=Query(expr=requests(), legend="{{service}}")),
            Panel(title="Response Times", kind="line", plan_name="response_time_p95", unit="s",
                  description="95th and 99th percentile latency per service; dots are exemplars that open the "
                              "trace in Tempo.",
                  queries=(trace_links(), latency(0.95), latency(0.99))),
            Panel(title="Error Rates", kind="line", plan_name="error_rate_by_service", unit="percentunit",
                  thresholds=((ERROR_RATE_LIMIT, "red"),), **in_view(ERROR_RATE_LIMIT),
                  description="Share of requests answered with a 5xx, per service; the red line is at "
                              f"{ERROR_RATE_LIMIT:.0%}.",
                  queries=Query(expr=f"({requests(FAILING)} or on (service) 0 * {requests()}) / {requests()}",
                                legend="{{service}}")),
            Panel(title="Error Log Lines", kind="line", unit="cps", thresholds=((API_ERROR_LIMIT, "red"),),
                  **in_view(API_ERROR_LIMIT),
                  description="Error-level log lines per second, per service, counted by Loki's ruler "
                              f"({ERROR_LOG_RATE.name}). The red line is where ApiErrorLogsHigh fires for api: 50 "
                              f"errors in 5 minutes ({API_ERROR_LIMIT:.3g}/s); rag-engine's error lines page no "
                              "one. The link opens the lines themselves in Explore.",
                  links=(ExploreLink(title="Error logs (Loki)", datasource="loki", query=ERROR_LOG_LINES),),
                  queries=Query(expr=f"sum by (service_name) ({ERROR_LOG_RATE.name})", legend="{{service_name}}")),
            Panel(title="Timeout Log Lines", kind="line", unit="cps", thresholds=((TIMEOUT_LIMIT, "red"),),
                  **in_view(TIMEOUT_LIMIT),
                  description="The rag-engine's timeout log lines per second, counted by Loki's ruler "
                              f"({TIMEOUT_LOG_RATE.name}). The red line is where RagEngineTimeouts fires: 20 "
                              f"timeouts in 10 minutes ({TIMEOUT_LIMIT:.2g}/s). The link opens the lines in Explore.",
                  links=(ExploreLink(title="Timeout logs (Loki)", datasource="loki", query=RAG_TIMEOUT_LINES),),
                  queries=Query(expr=f"sum by (service_name) ({TIMEOUT_LOG_RATE.name})",
                                legend="{{service_name}} timeouts")),
            Panel(title="Disk I/O", kind="line", unit="iops",
                  description="Reads and writes completed per second on each instance's disks (LVM and RAID "
                              "volumes left out: the disks under them count their operations already).",
                  queries=(per_instance("node_disk_reads_completed_total", "reads", PHYSICAL_DISKS),
                           per_instance("node_disk_writes_completed_total", "writes", PHYSICAL_DISKS))),
        )),
        # PredictiveAnalytics: predict_capacity_needs and detect_anomalies, served by the sidecar exporter.
        Row(title="Capacity and anomalies", panels=(
            # every forecast with a capacity: CapacityExhaustedSoon fires for any of them and opens this panel
            Panel(title="Time to Exhaustion", kind="stat", unit="s", decimals=1,
                  thresholds=((None, "red"), (86400, "orange"), (7 * 86400, "green")),
                  description=f"Time until each resource reaches its limit at its current trend: free disk space 0 "
                              f"({DISK.name}), memory used 100% ({MEMORY.name}). CapacityExhaustedSoon fires under "
                              "24 hours. In its first season (its first day for a daily one) a series is predicted "
                              "to reach only a limit within its own range (no further beyond its extreme than that is "
                              "from its other extreme), as a cycle cannot yet be told from growth.",
                  queries=Query(expr="min by (forecast, instance, mountpoint) (obsgen_capacity_seconds_to_exhaustion)",
                                legend="{{forecast}} {{instance}} {{mountpoint}}", instant=True)),
            Panel(title="Disk Free", kind="line", unit="percent", min=0, max=100,
                  thresholds=((None, "red"), (5, "green")),
                  description="Free share of each filesystem; DiskAlmostFull fires under 5% for 5 minutes.",
                  queries=Query(expr=f'100 * node_filesystem_avail_bytes{{{INSTANCE},{REAL_FILESYSTEMS}}}'
                                     f' / node_filesystem_size_bytes{{{INSTANCE},{REAL_FILESYSTEMS}}}',
                                legend="{{instance}} {{mountpoint}}")),
            Panel(title="Anomaly Scores", kind="line", unit="none", thresholds=((1, "red"),), **in_view(1),
                  description="Anomaly score of each forecast series' newest sample (forecast residual, range "
                              "and pattern novelty); ForecastAnomaly fires above 1 for 10 minutes.",
                  queries=Query(expr="max by (forecast) (obsgen_anomaly_score)", legend="{{forecast}}")),
        )),
    ),
)
