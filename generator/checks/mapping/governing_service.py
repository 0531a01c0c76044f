"""An address out/kubernetes/ names is prometheus-operator's governing Service, shared by every server of its
namespace.

The operator runs one `prometheus-operated` and one `alertmanager-operated` per namespace, selecting every
Prometheus (Alertmanager) pod there by `app.kubernetes.io/name` alone, whichever resource made it. Where another
installation runs in that namespace (kube-prometheus' Prometheus k8s and Alertmanager main in monitoring, say), a
Grafana data source through it alternates between the Prometheus servers, panels flickering between two data
sets; a scrape reaches the other installation's servers too; an Alertmanager reached through it is whichever
answers. obsgen reaches its servers through their own Services, `prometheus-<prometheus_name>` and
`alertmanager-<alertmanager_name>` (kube-prometheus' own prometheus-k8s and alertmanager-main with servers=False);
a hand-written address can still name the governing one: a Kubernetes.services entry (for the servers' own hosts
too), or a fully qualified `prometheus-operated.<namespace>.svc` in another scrape job's target (federation, say)
or in remote write.

Fix: leave Prometheus and Alertmanager out of Kubernetes.services (their own Services are the default), or name the
server's own Service there or in the URL; where only one Prometheus and Alertmanager will ever run in that
namespace, switch MP021 off at the definition saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, over_packaged_addresses
from generator.core.errors import Level
from generator.derive.cluster_addresses import GOVERNING_SERVICES, How, server_service
from generator.model import Kubernetes

CODE = "MP021"
NAME = "governing-service"
LEVEL = Level.WARNING

SERVICE_DNS = re.compile(r"^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.[a-z0-9.-]+)?)?\.?$")
"""A Service's DNS name as a pod resolves it: <name>.<namespace>[.svc[.<cluster domain>]]."""
SERVER_OF = {service: server for server, service in GOVERNING_SERVICES.items()}
KUBE_PROMETHEUS = {"prometheus": "Prometheus k8s", "alertmanager": "Alertmanager main"}


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    for address, found in served:
        if found is not None:
            name, namespace = found.name, found.namespace
        else:  # kept as written: a fully qualified name
            match = SERVICE_DNS.match(address.host)
            if match is None:
                continue
            name, namespace = match.group(1), match.group(2)
        server = SERVER_OF.get(name)
        if server is None:
            continue
        beside = f" (in monitoring, kube-prometheus' {KUBE_PROMETHEUS[server]} too)" if namespace == "monitoring" \
            else ""
        message = (f"kubernetes: {address.what} reaches {name}.{namespace}.svc, prometheus-operator's governing "
                   f"Service of every {server.capitalize()} pod in namespace {namespace}{beside}, whichever "
                   f"installation runs it; name the server's own Service instead "
                   f"({server_service(kube, server)} for this packaging's), or where no other one runs in "
                   f"{namespace} switch MP021 off here saying so")
        if found is not None and found.how is How.MAPPED:
            yield Finding(kube, message, ("services",))
        else:
            yield Finding(address.at, message, address.field)
