"""A metrics pipeline that watches itself: Prometheus' and Alertmanager's own health."""

from generator.library.meta import ALERTMANAGER_METRICS, PROMETHEUS_METRICS, meta_alerts

METRICS = PROMETHEUS_METRICS + ALERTMANAGER_METRICS
ALERTS = meta_alerts(watchdog_channels=("deadman",), dashboard="Meta-monitoring")
