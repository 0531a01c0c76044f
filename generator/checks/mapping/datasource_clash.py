"""Grafana's data sources may clash with the Grafana installation's own: the same names and uids, or a second default.

out/kubernetes/ provisions Grafana's data sources as compose does, with the uids every dashboard names: Prometheus
(uid prometheus), Alertmanager (uid alertmanager), Loki, Tempo. kube-prometheus-stack's Grafana sidecar loads every
ConfigMap labelled grafana_datasource=1, its own among them, which by default provisions a Prometheus (uid
prometheus, isDefault) and an Alertmanager (uid alertmanager) at the chart's servers. Grafana provisions file after
file and finds a data source by name: of two with one name, the file read last wins (a same uid under another name
stops provisioning: "data source with the same uid already exists"), and two with isDefault: true anywhere make it
refuse every file ("Only one datasource per organization can be marked as default"). With a label of its own the
ConfigMap clashes by name only where the installation provisions the same names, but a default asked for
(Kubernetes.default_datasource) still meets any default the installation provisions: said once, here.

Fix: with kube-prometheus-stack, set `grafana.sidecar.datasources.defaultDatasourceEnabled: false` and
`grafana.sidecar.datasources.alertmanager.enabled: false` in its values, so obsgen's are the only ones; with a
Grafana that provisions no data source of its own (the Grafana chart's sidecar), switch MP016 off for the
Kubernetes definition, saying so: `# obsgen: disable=MP016 our Grafana chart provisions no data source`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import Kubernetes

CODE = "MP016"
NAME = "datasource-clash"
LEVEL = Level.WARNING
CHART_LABELS = {"grafana_datasource": "1"}
"""The label kube-prometheus-stack's sidecar loads (sidecar.datasources.label and labelValue), on its own
ConfigMap too."""
CHART_DATASOURCES = {"Prometheus": "prometheus", "Alertmanager": "alertmanager"}
"""Name and uid of the data sources kube-prometheus-stack provisions by default (sidecar.datasources.name and uid,
sidecar.datasources.alertmanager), which obsgen's carry too (generator.targets.grafana_provisioning)."""


def check(context: Context) -> Iterator[Finding]:
    declared = context.project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    if kube.datasource_labels != CHART_LABELS:
        if kube.default_datasource:
            yield Finding(kube, "kubernetes: Grafana's Prometheus data source claims isDefault: Grafana refuses a "
                                "second default in the organisation and then provisions no data source at all, so "
                                "the Grafana installation must provision no default of its own (kube-prometheus-stack: "
                                "grafana.sidecar.datasources.defaultDatasourceEnabled false), or set "
                                "default_datasource=False", ("default_datasource",))
        return
    same = " and ".join(f"{name} (uid {uid})" for name, uid in CHART_DATASOURCES.items())
    default = ("; both claim isDefault, so Grafana would provision no data source at all" if kube.default_datasource
               else "")
    yield Finding(kube, f"kubernetes: Grafana data sources {same} are provisioned under label "
                        f"grafana_datasource=1, as kube-prometheus-stack provisions its own of the same names and "
                        f"uids: Grafana keeps the one of the file it reads last{default}. With kube-prometheus-stack "
                        "set grafana.sidecar.datasources.defaultDatasourceEnabled and .alertmanager.enabled to false; "
                        "else switch MP016 off here saying your Grafana provisions none", ("datasource_labels",))
