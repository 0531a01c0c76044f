"""A Kubernetes.service_ports entry that no URL out/kubernetes/ writes reaches: it changes nothing.

service_ports gives the Service port a URL goes to in the cluster (Grafana's data sources, remote write), where
the Service listens on another port than its pods. Only URLs use it: a scrape discovers the Service's pods and
keeps their port (Kubernetes.services' `:port`, else the compose port). An entry no URL reaches, a host only
scraped, a host no address names (renamed, or left from a removed component), or a host whose URLs take a
host:port entry first, is ignored, and the port it was meant to set is not set where it was meant.

Fix: remove the entry; to scrape a Service's pods at another port, give it in services as ':port'
(`Kubernetes(services={"api": "api.shop:http"})`); for a URL, key the entry by the host (or host:port) the URL
names.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, over_packaged_addresses
from generator.core.errors import Level
from generator.derive.cluster_addresses import How, service_port_key
from generator.model import Kubernetes

CODE = "XR025"
NAME = "unused-service-port"
LEVEL = Level.WARNING


def _why(key: str, scraped: list[str], first: list[str]) -> str:
    """Why an entry reaches no URL: another entry goes first, only scrapes name it, or nothing does."""
    if first:
        return f"the URLs to its host take entry {', '.join(repr(other) for other in dict.fromkeys(first))} first"
    if scraped:
        return (f"only scrapes name it ({', '.join(scraped)}), which keep the pods' port: give a port to scrape in "
                "services as ':<port>'")
    return "no address out/kubernetes/ names it"


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    used: dict[str, list[str]] = {}  # entry -> hosts of the URLs taking their port from it
    scraped: dict[str, list[str]] = {}
    for address, found in served:
        if address.url and found is not None and found.how is How.MAPPED:
            key = service_port_key(kube, address.host, address.port)
            used.setdefault(key or "", []).append(address.host)
        elif not address.url:
            for key in (f"{address.host}:{address.port}", address.host):
                scraped.setdefault(key, []).append(address.what)
    for key, port in kube.service_ports.items():
        if key not in used:
            first = [entry for entry, hosts in used.items() if entry and key in hosts]
            yield Finding(kube, f"kubernetes: service_ports entry {key!r}: {port} is used by nothing: "
                                f"{_why(key, scraped.get(key, []), first)}", ("service_ports", key))
