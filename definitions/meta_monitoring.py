"""A metrics pipeline that watches itself: Prometheus', Alertmanager's and the rest of the stack's own health."""

from generator.library.meta import ALERTMANAGER_METRICS, PROMETHEUS_METRICS, meta_alerts
from generator.library.notifications import notification_alerts, notification_inhibitions
from generator.library.pipeline import METRICS as PIPELINE_METRICS
from generator.library.pipeline import backend_inhibitions, pipeline_alerts
from generator.model.tracing import LOKI_EXPORTER, TEMPO_EXPORTER

from .stack import STACK

METRICS = PROMETHEUS_METRICS + ALERTMANAGER_METRICS + PIPELINE_METRICS
ALERTS = (meta_alerts(watchdog_channels=("deadman",), dashboard="Meta-monitoring")
          + notification_alerts(alertmanagers=len(STACK.alertmanagers), dashboard="Meta-monitoring")
          + pipeline_alerts(dashboard="Meta-monitoring"))
# Tempo or Loki down is TargetDown's page; the collector failing to export to it is the same outage
INHIBITIONS = (backend_inhibitions({TEMPO_EXPORTER: "tempo", LOKI_EXPORTER: "loki"},
                                   equal=tuple(STACK.external_labels))
               # every Alertmanager refusing Prometheus' alerts drops them: the drops' page tells, the errors' waits
               + notification_inhibitions(equal=tuple(STACK.external_labels)))
