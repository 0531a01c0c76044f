"""Grafana provisioning: the dashboard provider, data sources linked to each other, and server settings.

Data sources have fixed uids (prometheus, alertmanager, loki, tempo) so dashboards and links can name
them. Loki and Tempo are provisioned only for a project that uses them (used_sources): one without logs or traces
gets no data source pointing at a server it does not run, and no link into one. `$$` escapes `$` from Grafana's
environment-variable expansion of provisioning files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.derive.dashboards import settings
from generator.model import Dashboard, LogStorage, TracingPolicy, conventions
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


OPTIONAL_SOURCES = ("loki", "tempo")
"""The data sources provisioned only where the project uses them, by uid (each its type)."""


def _named(value: Any) -> Iterator[str]:
    """The optional data sources a dumped definition names: an ExploreLink's datasource, a data source variable's
    type, a panel or target kept as imported ({"type": "loki", "uid": "loki"})."""
    if isinstance(value, dict):
        yield from (value[key] for key in ("datasource", "type", "uid")
                    if isinstance(value.get(key), str) and value[key] in OPTIONAL_SOURCES)
        for item in value.values():
            yield from _named(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _named(item)


def used_sources(project: Project) -> frozenset[str]:
    """Which of Loki and Tempo the project uses: it stores logs (LogStorage: out/loki) or traces (TracingPolicy:
    out/tempo), its GrafanaSettings give the data source's URL (a Loki or Tempo run elsewhere), or a dashboard names
    the data source, which must then exist."""
    given = settings(project).model_fields_set
    used = {"loki"} if project.all(LogStorage) or "loki_url" in given else set()
    used |= {"tempo"} if project.all(TracingPolicy) or "tempo_url" in given else set()
    if used != set(OPTIONAL_SOURCES):
        for dashboard in project.all(Dashboard):
            used.update(_named(dashboard.model_dump()))
    return frozenset(used)


def _datasources(project: Project) -> dict[str, Any]:
    used = used_sources(project)
    grafana = settings(project)
    service = grafana.service_label
    trace_id = grafana.trace_id_label
    metric_tags = [{"key": "service.name", "value": service}]
    log_tags = [{"key": "service.name", "value": LOG_SERVICE_LABEL}]
    prometheus: dict[str, Any] = {
        "name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy",
        "url": grafana.prometheus_url, "isDefault": True, "editable": False,
        "jsonData": {
            "httpMethod": "POST", "timeInterval": project.stack.scrape_interval, "prometheusType": "Prometheus",
        },
    }
    if "tempo" in used:  # the collector's span metrics label exemplars trace_id, Tempo's metrics-generator traceID
        prometheus["jsonData"]["exemplarTraceIdDestinations"] = [
            {"name": name, "datasourceUid": "tempo"} for name in dict.fromkeys((trace_id, EXEMPLAR_TRACE_ID))]
    alertmanager = {
        "name": "Alertmanager", "type": "alertmanager", "uid": "alertmanager", "access": "proxy",
        "url": grafana.alertmanager_url, "editable": False,
        "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
    }
    loki: dict[str, Any] = {
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
    tempo: dict[str, Any] = {
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
    if "tempo" not in used:
        loki["jsonData"].pop("derivedFields")
    if "loki" not in used:
        for key in ("tracesToLogsV2", "lokiSearch"):
            tempo["jsonData"].pop(key)
    optional = {"loki": loki, "tempo": tempo}
    return {"apiVersion": 1, "datasources": [prometheus, alertmanager,
                                             *(optional[uid] for uid in OPTIONAL_SOURCES if uid in used)]}


def render(project: Project) -> dict[str, Any]:
    """Provider and data source provisioning files."""
    return {
        f"{PROVISIONING_DIR}/dashboards/obsgen.yml": _provider(project),
        conventions.GRAFANA_DATASOURCES: _datasources(project),
    }
