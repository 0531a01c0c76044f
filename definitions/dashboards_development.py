"""DASHBOARD_CONFIG["dashboards"]["development"]: API performance, cache hits, response times; 5 s refresh."""

from generator.model import Dashboard, ExploreLink, Panel, Query, QueryVariable, Row

from .dashboards_operations import latency, recorded, requests, trace_links
from .metrics import cache_hit_ratio, request_duration_buckets_rate

SERVICE = 'service=~"$service"'
# Loki indexes OpenTelemetry's service.name as service_name and detects each line's level (ApiErrorLogsHigh's filter)
ERROR_LOGS = ExploreLink(title="Error logs (Loki)", datasource="loki",
                         query='{service_name=~"$service"} | detected_level=~"error|critical|fatal"')
SLOW_TRACES = ExploreLink(title="Slow traces (Tempo)", datasource="tempo",
                          query='{resource.service.name=~"$service" && duration > 500ms}')


DEVELOPMENT_DASHBOARD = Dashboard(
    name="Development", plan_name="development", folder="Development", tags=("development", "api"),
    description="For developers shipping the API: errors by endpoint, latency distribution, cache efficiency, "
                "with links to the logs and traces behind them. Refreshes every 5 seconds.",
    refresh="5s", time_range="1h", themes=("light", "dark", "auto"),
    variables=(QueryVariable(name="service", label="Service", query="label_values(http_requests_total, service)"),),
    links=(ERROR_LOGS, SLOW_TRACES),
    rows=(
        Row(title="Errors", panels=(
            Panel(title="Errors by Endpoint", kind="line", plan_name="error_rate_by_endpoint", unit="reqps",
                  description="5xx responses per second, per endpoint of the selected services.",
                  links=(ERROR_LOGS,),
                  queries=Query(expr=requests(SERVICE + ',status=~"5.."', "endpoint"), legend="{{endpoint}}")),
            Panel(title="Errors in Range", kind="table", unit="short", width=12,
                  description="5xx responses per endpoint and status over the selected time range.",
                  links=(ERROR_LOGS,),
                  queries=Query(expr=f'sum by (endpoint, status) (increase(http_requests_total{{{SERVICE},'
                                     'status=~"5.."}[$__range]))', instant=True, format="table")),
        )),
        Row(title="API performance", panels=(
            Panel(title="Latency Heatmap", kind="heatmap", unit="s",
                  description="How request durations are distributed over time (histogram buckets); dots are "
                              "exemplars that open the trace.",
                  links=(SLOW_TRACES,),
                  queries=(trace_links(SERVICE),
                           Query(expr=f"sum by (le) ({recorded(request_duration_buckets_rate, SERVICE)})",
                                 legend="{{le}}", format="heatmap"))),
            Panel(title="Response Times by Endpoint", kind="line", plan_name="response_times", unit="s",
                  description="Median and 95th percentile latency per endpoint.", links=(SLOW_TRACES,),
                  queries=(trace_links(SERVICE), latency(0.5, "endpoint", SERVICE),
                           latency(0.95, "endpoint", SERVICE))),
            Panel(title="Requests by Endpoint", kind="line", plan_name="api_performance", unit="reqps", stacked=True,
                  description="Requests per second per endpoint of the selected services, stacked.",
                  queries=Query(expr=requests(SERVICE, "endpoint"), legend="{{endpoint}}")),
            Panel(title="Cache Hit Ratio", kind="line", plan_name="cache_hits", unit="percentunit", min=0, max=1,
                  description="Cache hits per lookup over 5 minutes, per cache type.",
                  queries=Query(expr=cache_hit_ratio, legend="{{cache_type}}")),
        )),
    ),
)
