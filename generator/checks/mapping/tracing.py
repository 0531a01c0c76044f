"""What the tracing policy asks for that the collector and Tempo do differently.

Said once per build: a trace exporter mapped onto another protocol (the plan's Jaeger Thrift endpoint is sent
over OTLP), a policy that marks no endpoint critical (its 100% keep policy keeps nothing), and Tempo's
metrics-generator counting only sampled spans (exact rates come from the collector's span metrics, computed
before sampling).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model.tracing import Service, TracingPolicy

CODE = "MP005"
NAME = "tracing"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    services = context.project.all(Service)
    for policy in context.project.all(TracingPolicy):
        for number, exporter in enumerate(policy.exporters):
            if exporter.enabled and exporter.mapping:
                yield Finding(policy, exporter.mapping, ("exporters", number))
        if not any(endpoint.critical for service in services for endpoint in service.endpoints):
            yield Finding(policy, "no endpoint is marked critical: the 100% policy for critical endpoints keeps "
                                  "nothing")
        yield Finding(policy, "Tempo's metrics-generator counts only sampled spans; exact request rates are the "
                              "collector's traces_span_metrics_* series, computed before tail sampling")
