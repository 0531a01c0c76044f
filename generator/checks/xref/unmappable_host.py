"""A host out/kubernetes/ would name that no Kubernetes Service can stand for.

Kubernetes packaging replaces docker-compose's host names by the Services standing for them (Kubernetes.services,
else the operator's Services for Prometheus and Alertmanager, else a Service of the host's name). A loopback host
(`localhost:9100`) is, in a pod, the pod itself: Prometheus would scrape its own pod, Grafana its own; a name that
is no DNS label (`node_exporter`, `Loki`) is no Service's. Written as they are, the targets and data sources would
reach nothing in the cluster.

Fix: name the Service in `Kubernetes(services={"localhost:9100": "node-exporter.monitoring"})` (host:port, or the
host alone for every port), or give the target a host name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.cluster_addresses import addresses, unmappable
from generator.model import Kubernetes

CODE = "XR022"
NAME = "unmappable-host"
LEVEL = Level.ERROR
SWITCHABLE = False  # Kubernetes packaging relies on it: it writes no address that reaches nothing


def check(context: Context) -> Iterator[Finding]:
    declared = context.project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    for address in addresses(context.project, kube):
        if unmappable(kube, address.host, address.server, address.port):
            yield Finding(address.at, f"kubernetes: {address.what}: no Service can stand for host {address.host!r} "
                                      "in the cluster; map it: Kubernetes(services={"
                                      f"'{address.host}:{address.port}': 'service.namespace'}})", address.field)
