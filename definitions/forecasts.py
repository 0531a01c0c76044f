"""The plan's predictive analytics: forecasts with anomaly bands, trends and capacity, from Prometheus history.

The sidecar exporter reads each expression's history through query_range, and exports the forecast for
the current step, its band, anomaly scores and the time until a capacity limit is reached
(generator/library/exporter.py lists the series). Alerts: anomaly score above 1 for 10 minutes; capacity
exhausted within 24 hours. The plan's "80% of problems detected proactively": the revenue, memory and
disk forecasts below watch the very series the threshold alerts read, so they warn first
(tests/e2e/test_early_warnings.py measures it on the live demo).
"""

from generator.library.exporter import EXPORTER_METRICS, exporter_alerts, predictive_alerts
from generator.model import Capacity, Forecast

from .metrics import memory_usage, revenue_hourly

METRICS = EXPORTER_METRICS
ALERTS = predictive_alerts(for_="10m", capacity_within="24h", dashboard="Operations")

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
    # the series RevenueDrop reads, on a daily season: a decline shows as an anomaly before it falls far below
    # the same hour last week
    Forecast(name="shop_revenue", help="Revenue of the last hour, from the shop's own counters.",
             expr=f"sum({revenue_hourly.name})", step="5m", season="1d", history="2w", horizon="1d"),
]

# predict_capacity_needs: memory used growing towards 100% (MemoryHigh trips at 95%).
MEMORY = Forecast(
    name="memory_used", help="Memory used per instance, in percent.",
    expr=memory_usage.name, step="5m", season="1d", history="2w", horizon="1d",
    capacity=Capacity(limit=100, direction="up", resource="memory", name_labels=("instance",),
                      warning_within="7d", critical_within="1d"),
)

# predict_capacity_needs: free disk space shrinking towards 0.
DISK = Forecast(
    name="disk_free", help="Free bytes per filesystem.",
    expr='node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}',
    step="5m", season="1d", history="2w", horizon="3d", interval="10m",
    capacity=Capacity(limit=0, direction="down", resource="disk", name_labels=("instance", "mountpoint"),
                      warning_within="7d", critical_within="1d"),
)

# The sidecar watching itself: its sources, and every query and forecast it runs; its run counters are held and
# counted over two runs of the slowest job, the disk forecast (SM007 says when a job runs slower).
EXPORTER_ALERTS = exporter_alerts(slowest_interval=DISK.interval, dashboard="Meta-monitoring")
