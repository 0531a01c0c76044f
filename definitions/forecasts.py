"""The plan's predictive analytics: forecasts with anomaly bands, trends and capacity, from Prometheus history.

The sidecar exporter reads each expression's history through query_range, and exports the forecast for
the current step, its band, robust anomaly z-scores and the time until a capacity limit is reached
(generator/library/exporter.py lists the series). Alerts: |z| > 3 for 10 minutes; capacity exhausted
within 24 hours.
"""

from generator.library.exporter import EXPORTER_METRICS, exporter_alerts, predictive_alerts
from generator.model import Capacity, Forecast

from .metrics import revenue_hourly

METRICS = EXPORTER_METRICS
ALERTS = predictive_alerts(z_threshold=3, for_="10m", capacity_within="24h") + exporter_alerts()

# analyze_trends / detect_anomalies: business series with a weekly rhythm (weekends, evenings).
FORECASTS = [
    Forecast(name="revenue_hourly", help="Revenue over the last hour.",
             expr=f"sum({revenue_hourly.name})", step="5m", season="1w", history="5w", horizon="1d"),
    Forecast(name="orders_rate", help="Orders placed per second.",
             expr="sum(rate(shop_orders_total[15m]))", step="5m", season="1w", history="5w", horizon="1d"),
    Forecast(name="active_users", help="Users active in the last 15 minutes.",
             expr="sum(shop_active_users)", step="5m", season="1w", history="5w", horizon="1d"),
    Forecast(name="request_rate", help="HTTP requests per second per service.",
             expr="service:http_requests:rate5m", step="5m", season="1d", history="2w", horizon="6h"),
]

# predict_capacity_needs: free disk space shrinking towards 0.
DISK = Forecast(
    name="disk_free", help="Free bytes per filesystem.",
    expr='node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}',
    step="10m", season="1d", history="2w", horizon="3d", interval="10m",
    capacity=Capacity(limit=0, direction="down", resource="disk", name_labels=("instance", "mountpoint"),
                      warning_within="7d", critical_within="1d"),
)
