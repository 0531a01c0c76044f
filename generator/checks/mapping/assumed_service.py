"""A docker-compose host that Kubernetes packaging takes for a Service of the same name in its namespace.

Compose's host names (`node-exporter:9100`, `http://loki:3100`) resolve only on compose's network. out/kubernetes/
scrapes each through endpointslice discovery of a Service, and points Grafana's data sources at its DNS name:
Kubernetes.services names that Service; Prometheus and Alertmanager are their own Services, prometheus-<prometheus_name>
and alertmanager-<alertmanager_name>. Any other host is taken for a Service of its own name in the packaging's
namespace, which holds only where it was installed so: obsgen says which hosts it assumed.

Fix: `Kubernetes(services={"node-exporter": "node-exporter.monitoring", "loki": "loki.logging"})`, one entry per
host, naming the Service as installed (the name alone for the packaging's namespace).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, grouped_uses, over_packaged_addresses
from generator.core.errors import Level
from generator.derive.cluster_addresses import How
from generator.model import Kubernetes

CODE = "MP015"
NAME = "assumed-service"
LEVEL = Level.WARNING


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    assumed = grouped_uses(served, lambda address, found: address.host if found.how is How.ASSUMED else None)
    if assumed:
        hosts = "; ".join(f"{host} ({', '.join(uses)})" for host, uses in assumed)
        yield Finding(kube, f"kubernetes: compose hosts taken for Services of the same name in namespace "
                            f"{kube.namespace}: {hosts}; name each host's Service in Kubernetes(services={{...}})",
                      ("services",))
