"""Where Grafana reaches the stack, and the labels that link metrics, logs and traces."""

from generator.model import GrafanaSettings

GRAFANA = GrafanaSettings(
    prometheus_url="http://prometheus:9090",
    alertmanager_url="http://alertmanager:9093",
    loki_url="http://loki:3100",
    tempo_url="http://tempo:3200",
    trace_id_label="trace_id",
    service_label="service",
    dashboards_path="/etc/grafana/dashboards",
)
