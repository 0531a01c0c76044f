"""METRICS_CONFIG["collection"]: where metrics come from, how often, and how long they are kept."""

from generator.model import ClusterEndpoint, RetentionPolicy, ScrapeJob, Source, Stack
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN

STACK = Stack(
    name="ecommerce-rag",
    scrape_interval=15,  # METRICS_CONFIG["collection"]["interval"]
    evaluation_interval=15,
    external_labels={"platform": "ecommerce-rag"},
    alertmanagers=("alertmanager-1:9093", "alertmanager-2:9093"),  # an HA pair: Prometheus sends to both
    grafana_url="http://localhost:3000",
    alertmanager_url="http://localhost:9093",  # stacks/docker-compose.yml publishes alertmanager-1 there
    prometheus_url="http://localhost:9090",
    alertmanager_version="0.34.1",  # the image stacks/docker-compose.yml pins: its UI decodes the links' values
    # a placeholder (NT005 warns of it at every build): the address where this repository's out/docs is browsed, e.g.
    # its page on the team's Git server; each alert's runbook_url is docs_url + /runbooks/<Alert>.md, the page
    # out/docs/runbooks/<Alert>.md in this repository, written from the alert's runbook=
    docs_url="https://git.example.com/platform/observability/blob/main/out/docs",
)

RETENTION = RetentionPolicy(
    name="plan",
    raw="1h",
    aggregated="7d",
    summary="30d",
    server_retention="30d",  # revenue_drop compares against a 7-day average: raw data must outlive 7d
)

SCRAPE_JOBS = [
    ScrapeJob(name="prometheus", source=Source.PROMETHEUS, targets=("localhost:9090",)),
    ScrapeJob(name="alertmanager", source=Source.ALERTMANAGER, targets=("alertmanager-1:9093", "alertmanager-2:9093")),
    # in the cluster, kube-prometheus' node-exporter: https on 9100 through kube-rbac-proxy, which checks Prometheus'
    # ServiceAccount token (as its ServiceMonitor scrapes it); out/kubernetes/ lets that account get /metrics
    # obsgen: disable=MP018 kube-prometheus' ClusterRole node-exporter lets its kube-rbac-proxy review tokens
    ScrapeJob(name="node", source=Source.NODE_EXPORTER, targets=("node-exporter:9100",), cluster=ClusterEndpoint(
        scheme="https", bearer_token_file=SERVICE_ACCOUNT_TOKEN, insecure_skip_verify=True)),
    ScrapeJob(name="api", source=Source.APPLICATION, targets=("api:8000",)),  # the app exports its own service label
    ScrapeJob(name="obsgen-exporter", source=Source.SIDECAR, targets=("obsgen-exporter:9188",)),
    ScrapeJob(name="grafana", source=Source.GRAFANA, targets=("grafana:3000",)),  # /metrics on its HTTP port
]
