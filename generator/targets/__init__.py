"""Output formats: each module is a pure function Project -> {relative path: document}.

A document is a dict or list (serialised by generator.package.emit according to the file's extension) or a
str written as is. A target never writes files and never reads another target's output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.core.errors import DefinitionError
from generator.model.project import Project
from generator.targets import (
    alertmanager,
    dashboard_docs,
    docs,
    exporter,
    grafana,
    grafana_provisioning,
    grafana_server,
    loki,
    otelcol,
    prometheus,
    route_tests,
    rule_tests,
    rulesets,
    slo_tests,
    tempo,
)

Target = Callable[[Project], dict[str, Any]]

TARGETS: dict[str, Target] = {
    "prometheus": prometheus.render,
    "prometheus-tests": rule_tests.render,
    "prometheus-rulesets": rulesets.render,
    "prometheus-slo-tests": slo_tests.render,
    "alertmanager": alertmanager.render,
    "alertmanager-tests": route_tests.render,
    "docs": docs.render,
    "grafana": grafana.render,
    "grafana-provisioning": grafana_provisioning.render,
    "dashboard-docs": dashboard_docs.render,
    "otelcol": otelcol.render,
    "tempo": tempo.render,
    "loki": loki.render,
    "grafana-server": grafana_server.render,
    "exporter": exporter.render,
}


def render_all(project: Project) -> dict[str, Any]:
    """Every output file of every target."""
    files: dict[str, Any] = {}
    for name, target in TARGETS.items():
        for path, document in target(project).items():
            if path in files:
                raise DefinitionError(project.stack.location,
                                      f"target {name} writes {path}, already written by another target")
            files[path] = document
    return files
