"""DASHBOARD_CONFIG["real_time"]: what the Grafana server needs for 5-second dashboards over WebSocket."""

from generator.model import GrafanaServer

GRAFANA = GrafanaServer(
    real_time_update_interval=5,  # DASHBOARD_CONFIG["real_time"]["update_interval"], seconds
    live=True,  # DASHBOARD_CONFIG["real_time"]["websocket_enabled"]: Grafana Live is Grafana's WebSocket channel
    live_max_connections=100,
    anonymous_viewers=False,
    provisioning_path="/etc/grafana/provisioning",
)
