"""Structured logging of the plan: JSON lines correlated with traces, kept in Loki, alerted on with LogQL.

Services write one JSON object per line (generator.logging_json does it for Python services) with
trace_id and span_id of the active span and the tracing policy's required attributes; the collector
ships them to Loki over OTLP or by tailing the files, and Grafana links each line to its trace.
"""

from generator.model import LogAlert, LogRecordingRule, LogStorage, LogStream, ScrapeJob, Source

# Loki's ruler, like Prometheus, sends to every Alertmanager of the pair (comma-separated URLs)
LOG_STORAGE = LogStorage(retention="30d", evaluation_interval="1m",
                         alertmanager_url="http://alertmanager-1:9093,http://alertmanager-2:9093")

STREAMS = [
    LogStream(name="api", service="api", labels={"env": "production"}, retention="30d",
              paths=("/var/log/apps/api/*.json",)),
    LogStream(name="rag-engine", service="rag-engine", labels={"env": "production"}, retention="14d"),
]

ERROR_LEVELS = '| detected_level=~"error|critical|fatal"'
# The alert, its recording rule and the panel read the same lines: the production streams' (every stream is),
# selected alike, so the recorded api series is the one the alert counts (the rule once read every env's)
API_ERROR_LINES = f'{{service_name="api", env="production"}} {ERROR_LEVELS}'
API_ERROR_LOGS = LogAlert(
    name="ApiErrorLogsHigh",
    expr=f"sum by (service_name) (count_over_time({API_ERROR_LINES} [5m])) > 50",
    **{"for": "5m"},
    severity="warning",
    dashboard="Operations", panel="Error Log Lines",  # plots the error lines it counts, recorded by ERROR_LOG_RATE
    summary='{{ $labels.service_name }} logged {{ printf "%.0f" $value }} errors in 5 minutes (more than 50)',
    description="The service writes error-level log lines at an unusual rate; users may be affected.",
    runbook="Read the lines it counts in Grafana Explore (Loki; the Operations dashboard's Error Log Lines panel "
            "links them): `{service_name=\"{{ $labels.service_name }}\", env=\"production\"} " + ERROR_LEVELS + "`; "
            "a line's trace_id opens its failing trace in Tempo. Check the last deploy.",
)
# Python words a timeout "timed out" (TimeoutError, socket.timeout, httpx's ReadTimeout) or TimeoutError in the
# traceback a logged exception carries, seldom the lower-case word: the filter ignores case and takes both
RAG_TIMEOUT_LINES = '{service_name="rag-engine", env="production"} |~ "(?i)timeout|timed out"'
RAG_TIMEOUTS = LogAlert(
    name="RagEngineTimeouts",
    expr=f"sum by (service_name) (count_over_time({RAG_TIMEOUT_LINES} [10m])) > 20",
    **{"for": "10m"},
    severity="critical",
    dashboard="Operations", panel="Timeout Log Lines",  # plots the lines it counts, recorded by TIMEOUT_LOG_RATE
    summary='{{ $labels.service_name }} logged {{ printf "%.0f" $value }} timeouts in 10 minutes (more than 20)',
    description="More than 20 timeout log lines in 10 minutes: searches and recommendations are degraded.",
    runbook=f"Read the lines it counts in Grafana Explore (Loki; the Operations dashboard's Timeout Log Lines panel "
            f"links them): `{RAG_TIMEOUT_LINES}`; they say which call timed out, and a line's trace_id opens its "
            "trace in Tempo, whose slowest span is the slow dependency (the knowledge-base backend or another).",
)

ERROR_LOG_LINES = f'{{service_name=~"api|rag-engine", env="production"}} {ERROR_LEVELS}'
ERROR_LOG_RATE = LogRecordingRule(
    name="service:log_errors:rate5m",
    expr=f"sum by (service_name) (rate({ERROR_LOG_LINES} [5m]))",
)

TIMEOUT_LOG_RATE = LogRecordingRule(
    name="service:log_timeouts:rate10m",
    expr=f"sum by (service_name) (rate({RAG_TIMEOUT_LINES} [10m]))",
)

SCRAPE_JOBS = [ScrapeJob(name="loki", source=Source.LOKI, targets=("loki:3100",))]
