"""The Services of the Prometheus and Alertmanager obsgen writes, selecting those servers' pods only.

prometheus-operator runs one governing Service per namespace for each kind, `prometheus-operated` and
`alertmanager-operated`, selecting every Prometheus (Alertmanager) pod of the namespace: beside kube-prometheus in
`monitoring`, its Prometheus k8s and Alertmanager main too. Grafana's data sources, Prometheus' alerting and the
servers' self-scrapes go through these Services instead, named and selecting as kube-prometheus' own
(prometheus-k8s, alertmanager-main): `prometheus-<name>` on port web 9090, `alertmanager-<name>` on web 9093. The
governing Services stay the operator's: the StatefulSets' serviceName, whose per-pod DNS names the Alertmanager
replicas' cluster mesh peers with.
"""

from __future__ import annotations

from typing import Any

from generator.derive.cluster_addresses import ALERTMANAGER, PROMETHEUS, SERVER_PORT_NAME, SERVER_PORTS, server_service
from generator.model import Kubernetes
from generator.package.object_meta import metadata

SERVERS = {"Prometheus": PROMETHEUS, "Alertmanager": ALERTMANAGER}
"""Each server resource's kind and the app.kubernetes.io/name (and name label) the operator gives its pods."""


def pod_selector(kind: str, name: str) -> dict[str, str]:
    """The labels selecting the pods of one Prometheus or Alertmanager resource: the operator sets them on its pods
    after podMetadata's (its statefulset.go podSelectorLabels: app.kubernetes.io/name, then `prometheus: <name>` or
    `alertmanager: <name>`), so nothing else set on the resource changes what they select."""
    server = SERVERS[kind]
    return {"app.kubernetes.io/name": server, server: name}


def _service(kube: Kubernetes, kind: str, name: str) -> dict[str, Any]:
    server = SERVERS[kind]
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(kube, server_service(kube, server)),
            "spec": {"ports": [{"name": SERVER_PORT_NAME, "port": SERVER_PORTS[server],
                                "targetPort": SERVER_PORT_NAME}],
                     "selector": pod_selector(kind, name),
                     # as kube-prometheus' Services: a Grafana session keeps to one replica (one Alertmanager's
                     # silences, one Prometheus' samples) instead of alternating between them at each request
                     "sessionAffinity": "ClientIP"}}


def server_services(kube: Kubernetes, directory: str) -> dict[str, Any]:
    """{path: Service} for the Prometheus and Alertmanager resources obsgen writes, under directory."""
    return {f"{directory}/prometheus/service.yaml": _service(kube, "Prometheus", kube.prometheus_name),
            f"{directory}/alertmanager/service.yaml": _service(kube, "Alertmanager", kube.alertmanager_name)}
