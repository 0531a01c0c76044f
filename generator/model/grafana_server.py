"""What the plan's DASHBOARD_CONFIG needs from the Grafana server itself (grafana.ini), not from a dashboard."""

from typing import Self

from pydantic import Field, model_validator

from generator.core.duration import Duration
from generator.model.base import Definition


class GrafanaServer(Definition):
    """Grafana server settings: real-time refresh floor, Grafana Live, anonymous access, provisioning path."""

    name: str = Field(default="grafana", description="Name shown by `obsgen list`.")
    real_time_update_interval: Duration = Field(
        default="5s", description="DASHBOARD_CONFIG real_time.update_interval: the fastest refresh dashboards use.")
    live: bool = Field(default=True, description="DASHBOARD_CONFIG real_time.websocket_enabled: Grafana Live.")
    live_max_connections: int = Field(
        default=100, ge=0, description="Grafana Live WebSocket connections per instance (0 turns Live off).")
    anonymous_viewers: bool = Field(
        default=False, description="Let visitors who are not signed in view dashboards (read-only Viewer role).")
    provisioning_path: str = Field(
        default="/etc/grafana/provisioning", description="Where the server mounts out/grafana/provisioning/.")

    @model_validator(mode="after")
    def _live_needs_connections(self) -> Self:
        if self.live and self.live_max_connections == 0:
            raise ValueError("live=True needs live_max_connections >= 1: Grafana turns Live off at 0 connections")
        return self
