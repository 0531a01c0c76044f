"""A URL out/kubernetes/ writes reaches a Service at a port nobody said: the compose URL's own, assumed.

Compose reaches a container at the port it listens on; in a cluster a URL reaches the Service, whose port may be
another than its pods' (the Grafana chart's Service listens on 80 in front of 3000; the Tempo chart's on 3200 or,
in older versions, 3100). Grafana's data sources and remote write at a mapped or assumed Service go to the compose
URL's port unless Kubernetes.service_ports gives the Service's: a guess that fails only once deployed, as a data
source that cannot connect. The servers' own Services (prometheus-<name>, alertmanager-<name>) are known: web, 9090
and 9093.

Fix: `Kubernetes(services={"loki": "loki.logging"}, service_ports={"loki": 3100})`, one entry per host (or
host:port) a URL names, with the Service's port as `kubectl get service` shows it.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, grouped_uses, over_packaged_addresses
from generator.core.errors import Level
from generator.model import Kubernetes

CODE = "MP017"
NAME = "unknown-service-port"
LEVEL = Level.WARNING


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    unknown = grouped_uses(served, lambda address, found: f"{found.dns} ({address.host})"
                           if address.url and found.port is None else None)
    if unknown:
        urls = "; ".join(f"{dns}: {', '.join(uses)}" for dns, uses in unknown)
        yield Finding(kube, f"kubernetes: URLs reach Services at their compose port, taken for the Service port: "
                            f"{urls}; give each Service's port in Kubernetes(service_ports={{...}})",
                      ("service_ports",))
