"""Kubernetes.services gives a host one port, where its scrape targets are at several.

A mapping's port (`'api': 'api.shop:http'`) says which of the Service's endpoints a scrape keeps, for every compose
target of the host it maps. Targets of one host at two compose ports (`api:8000` for the application, `api:9000`
for its worker) would all keep the endpoints at that one port: each pod scraped there twice, as two targets or
two jobs of the same series, and at the other port never.

Fix: map each target by host:port to its own port: `Kubernetes(services={"api:8000": "api.shop:http",
"api:9000": "api.shop:worker-metrics"})`, or leave the port out, to keep each at its compose port.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, over_packaged_addresses
from generator.core.errors import Level
from generator.derive.cluster_addresses import How
from generator.model import Kubernetes, ScrapeJob

CODE = "XR023"
NAME = "merged-ports"
LEVEL = Level.ERROR


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    merged: dict[tuple[str, str, str, str | int], dict[int | None, list[str]]] = {}
    for address, found in served:
        if not isinstance(address.at, ScrapeJob) or found is None or found.how is not How.MAPPED or \
                found.endpoint is None:
            continue
        key = (address.host, found.namespace, found.name, found.endpoint)
        merged.setdefault(key, {}).setdefault(address.port, []).append(address.at.name)
    for (host, namespace, name, endpoint), ports in sorted(merged.items(), key=str):
        if len(ports) > 1:
            targets = " and ".join(f"{host}:{port} (scrape job {', '.join(dict.fromkeys(jobs))})"
                                   for port, jobs in sorted(ports.items(), key=str))
            yield Finding(kube, f"kubernetes: compose targets {targets} both keep the endpoints at port {endpoint} "
                                f"of Service {namespace}/{name}: each pod would be scraped there twice and at the "
                                f"other port never; map each by host:port to its own port: Kubernetes(services="
                                f"{{'{host}:<port>': '{name}.{namespace}:<its port>'}})", ("services",))
