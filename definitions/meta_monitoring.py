"""A metrics pipeline that watches itself: Prometheus', Alertmanager's and the rest of the stack's own health."""

from generator.library.meta import ALERTMANAGER_METRICS, PROMETHEUS_METRICS, meta_alerts
from generator.library.notifications import notification_alerts, notification_inhibitions
from generator.library.pipeline import METRICS as PIPELINE_METRICS
from generator.library.pipeline import backend_inhibitions, pipeline_alerts
from generator.model.tracing import LOKI_EXPORTER, TEMPO_EXPORTER

from .stack import STACK
from .tracing import TRACING

METRICS = PROMETHEUS_METRICS + ALERTMANAGER_METRICS + PIPELINE_METRICS
ALERTS = (meta_alerts(watchdog_channels=("deadman",), dashboard="Meta-monitoring")
          + notification_alerts(alertmanagers=len(STACK.alertmanagers), dashboard="Meta-monitoring")
          + pipeline_alerts(dashboard="Meta-monitoring"))
# Tempo, Jaeger or Loki down is TargetDown's page; the collector failing to export to it is the same outage
BACKENDS = {TEMPO_EXPORTER: "tempo", LOKI_EXPORTER: "loki",
            **{jaeger.collector_exporter: "jaeger" for jaeger in TRACING.exporters if jaeger.protocol == "jaeger"}}
INHIBITIONS = (backend_inhibitions(BACKENDS, equal=tuple(STACK.external_labels))
               # every Alertmanager refusing Prometheus' alerts drops them: the drops' page tells, the errors' waits
               + notification_inhibitions(equal=tuple(STACK.external_labels)))
