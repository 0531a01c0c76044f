"""Settings that describe one thing are defined at most once.

A project has one tracing policy, one trace store, one log store, one exporter, one Kubernetes packaging and one
Grafana server; a second definition of any of them would contradict the first.

Fix: merge the two definitions into one.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import (
    Definition,
    ExporterSettings,
    GrafanaServer,
    Kubernetes,
    LogStorage,
    TraceStorage,
    TracingPolicy,
)

CODE = "XR002"
NAME = "at-most-one"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it
SINGLE: tuple[type[Definition], ...] = (TracingPolicy, TraceStorage, LogStorage, ExporterSettings, Kubernetes,
                                        GrafanaServer)


def check(context: Context) -> Iterator[Finding]:
    for kind in SINGLE:
        found = context.project.all(kind)
        for extra in found[1:]:
            yield Finding(extra, f"a second {kind.__name__}; the first is at {found[0].location}", (),
                          (found[0].location,))
