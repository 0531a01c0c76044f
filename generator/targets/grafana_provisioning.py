"""Grafana provisioning: the dashboard provider, data sources linked to each other, and server settings.

Data sources have fixed uids (prometheus, alertmanager, loki, tempo) so dashboards and links can name
them. `$$` escapes `$` from Grafana's environment-variable expansion of provisioning files.
"""

from __future__ import annotations

from typing import Any

from generator.derive.dashboards import settings
from generator.model import conventions
from generator.model.logs import SERVICE_LABEL as LOG_SERVICE_LABEL
from generator.model.logs import TRACE_ID_METADATA
from generator.model.project import Project
from generator.targets.tempo import EXEMPLAR_TRACE_ID

PROVISIONING_DIR = "grafana/provisioning"
TIME_SHIFT = {"spanStartTimeShift": "-5m", "spanEndTimeShift": "5m"}


def _provider(project: Project) -> dict[str, Any]:
    return {"apiVersion": 1, "providers": [{
        "name": "obsgen", "orgId": 1, "type": "file", "disableDeletion": True, "allowUiUpdates": False,
        "updateIntervalSeconds": 30,
        "options": {"path": settings(project).dashboards_path, "foldersFromFilesStructure": True},
    }]}


def _datasources(project: Project) -> dict[str, Any]:
    grafana = settings(project)
    service = grafana.service_label
    trace_id = grafana.trace_id_label
    metric_tags = [{"key": "service.name", "value": service}]
    log_tags = [{"key": "service.name", "value": LOG_SERVICE_LABEL}]
    prometheus = {
        "name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
        "url": grafana.prometheus_url, "isDefault": True, "editable": False,
        "jsonData": {
            "httpMethod": "POST", "timeInterval": project.stack.scrape_interval, "prometheusType": "Prometheus",
            # the collector's span metrics label exemplars trace_id, Tempo's metrics-generator traceID: link both
            "exemplarTraceIdDestinations": [{"name": name, "datasourceUid": "tempo"}
                                            for name in dict.fromkeys((trace_id, EXEMPLAR_TRACE_ID))],
        },
    }
    alertmanager = {
        "name": "Alertmanager", "type": "alertmanager", "uid": "alertmanager", "access": "proxy",
        "url": grafana.alertmanager_url, "editable": False,
        "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
    }
    loki = {
        "name": "Loki", "type": "loki", "uid": "loki", "access": "proxy", "url": grafana.loki_url, "editable": False,
        "jsonData": {"maxLines": 1000, "derivedFields": [{
            # every stream reaches Loki through the collector's OTLP export, whose log records carry the trace
            # id (tailed lines get it from their JSON's trace_id), and Loki keeps it as structured metadata: one
            # field on that label, where a second one matching the line's text showed each tailed line's trace
            # link twice. Grafana tests a label matcher as an unanchored regex against every key, hence anchors.
            # Loki names it whatever label the metrics' exemplars use (trace_id_label).
            "name": "TraceID", "datasourceUid": "tempo", "matcherType": "label",
            "matcherRegex": f"^{TRACE_ID_METADATA}$$", "url": "$${__value.raw}", "urlDisplayLabel": "View trace",
        }]},
    }
    tempo = {
        "name": "Tempo", "type": "tempo", "uid": "tempo", "access": "proxy", "url": grafana.tempo_url,
        "editable": False,
        "jsonData": {
            "tracesToLogsV2": {"datasourceUid": "loki", "tags": log_tags, "filterByTraceID": True,
                               "filterBySpanID": False, **TIME_SHIFT},
            "tracesToMetrics": {"datasourceUid": "prometheus", "tags": metric_tags, **TIME_SHIFT, "queries": [
                {"name": "Request rate", "query": "sum(rate(http_requests_total{$$__tags}[5m]))"},
                {"name": "p95 latency", "query": "histogram_quantile(0.95, "
                 "sum by (le) (rate(http_request_duration_seconds_bucket{$$__tags}[5m])))"},
            ]},
            "serviceMap": {"datasourceUid": "prometheus"},
            "nodeGraph": {"enabled": True},
            "lokiSearch": {"datasourceUid": "loki"},
        },
    }
    return {"apiVersion": 1, "datasources": [prometheus, alertmanager, loki, tempo]}


def render(project: Project) -> dict[str, Any]:
    """Provider and data source provisioning files."""
    return {
        f"{PROVISIONING_DIR}/dashboards/obsgen.yml": _provider(project),
        conventions.GRAFANA_DATASOURCES: _datasources(project),
    }
