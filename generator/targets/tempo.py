"""Grafana Tempo 2.10: out/tempo/tempo.yaml.

Tempo receives the sampled traces from the collector over OTLP, keeps them on local disk or S3 for
the declared retention, and its metrics-generator remote-writes service-graph and span metrics to
Prometheus. Those span metrics count only kept traces; exact rates come from the collector's
span_metrics, computed before sampling.
"""

from __future__ import annotations

from typing import Any

from generator.core.duration import go_duration, parse_seconds
from generator.model.project import Project
from generator.model.trace_sizing import size
from generator.model.tracing import Service, TraceStorage, TracingPolicy

CONFIG = "tempo/tempo.yaml"
DATA = "/var/tempo"
HTTP_PORT = 3200
INGESTION_SLACK_MARGIN_S = 30  # Tempo's own default slack, kept on top of the collector's delay
EXEMPLAR_TRACE_ID = "traceID"
"""The label holding the trace id in the exemplars the metrics-generator writes (the collector's say trace_id)."""


def _trace_store(storage: TraceStorage) -> dict[str, Any]:
    store: dict[str, Any] = {"backend": storage.backend, "wal": {"path": f"{DATA}/wal"}}
    if storage.backend == "s3":
        s3: dict[str, Any] = {"bucket": storage.s3_bucket, "endpoint": storage.s3_endpoint}
        if storage.s3_region:
            s3["region"] = storage.s3_region
        store["s3"] = s3
    else:
        store["local"] = {"path": f"{DATA}/blocks"}
    return store


def config(project: Project, policy: TracingPolicy, storage: TraceStorage) -> dict[str, Any]:
    """tempo.yaml."""
    # the metrics-generator drops spans that ended longer than the slack before they arrive; kept spans arrive
    # after the collector's tail-sampling wait, so the slack is that delay plus Tempo's default margin
    slack = size(policy, project.all(Service)).latest_arrival_s + INGESTION_SLACK_MARGIN_S
    return {
        "stream_over_http_enabled": True,
        "server": {"http_listen_port": HTTP_PORT, "grpc_listen_port": 9095, "log_level": "info"},
        "distributor": {"receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "0.0.0.0:4317"},
                                                             "http": {"endpoint": "0.0.0.0:4318"}}}}},
        "ingester": {"max_block_duration": "5m"},
        "compactor": {"compaction": {"block_retention": go_duration(parse_seconds(storage.retention))}},
        "metrics_generator": {
            "metrics_ingestion_time_range_slack": go_duration(slack),
            "registry": {"external_labels": {"source": "tempo", **dict(sorted(project.stack.external_labels.items()))}},
            "storage": {"path": f"{DATA}/generator/wal",
                        "remote_write": [{"url": storage.prometheus_write_url, "send_exemplars": True}]},
            "traces_storage": {"path": f"{DATA}/generator/traces"},
            "processor": {"service_graphs": {"dimensions": []},
                          "span_metrics": {"dimensions": [policy.route_attribute]}},
        },
        "storage": {"trace": _trace_store(storage)},
        "overrides": {"defaults": {"metrics_generator": {"processors": ["service-graphs", "span-metrics"]}}},
        "usage_report": {"reporting_enabled": False},
    }


def render(project: Project) -> dict[str, Any]:
    """out/tempo/tempo.yaml when a tracing policy is declared."""
    policies = project.all(TracingPolicy)
    if not policies:
        return {}
    stores = project.all(TraceStorage)
    document = config(project, policies[0], stores[0] if stores else TraceStorage())
    return {CONFIG: document}
