"""Where the stack's addresses are inside a Kubernetes cluster.

The definitions name hosts as docker-compose does (`node-exporter:9100`, `http://loki:3100`): names only compose's
network resolves. In a cluster each becomes a Service: the one Kubernetes.services maps it to, else for Prometheus
and Alertmanager the server's own Service, `prometheus-<prometheus_name>` and `alertmanager-<alertmanager_name>`
(generator.package.server_services writes obsgen's; kube-prometheus names its own so, prometheus-k8s and
alertmanager-main), else a Service of the same name in the packaging's namespace (assumed, and said by MP015).
Never the operator's governing `prometheus-operated` and `alertmanager-operated`: one per namespace, they list
every Prometheus or Alertmanager pod in it, another installation's too (MP021). A loopback host or a name no
Service may carry cannot be mapped (XR022). Fully qualified names and IP addresses resolve the same inside the
cluster and out, and are kept.

Scraped, a Service stands for the endpoints at one of its ports, named as a ServiceMonitor names them (the Service
port's name, or the pods' port number): the mapping's port, `web` for the servers' Services, else the compose
port, which is the container's (compose reaches containers directly) and so taken for the pods'. A URL goes through
the Service itself, at the Service port, which may differ from its pods' (the Grafana chart's Service listens on 80
in front of 3000): the servers' Services' web port, Kubernetes.service_ports' for a mapped host, else unknown, and
the URL's own port taken for it (said by MP017).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from generator.core.errors import UNKNOWN
from generator.derive.dashboards import settings
from generator.model import Definition, Kubernetes, ScrapeJob, Source
from generator.model.kubernetes import DNS_LABEL, service_ref
from generator.model.project import Project

LOOPBACK = re.compile(r"^(localhost|127(\.\d+){3}|::1)$")
PROMETHEUS = "prometheus"
ALERTMANAGER = "alertmanager"
SERVER_PORTS = {PROMETHEUS: 9090, ALERTMANAGER: 9093}
"""The port each server's Service serves `web` on (the pods' port the operator names web), whatever port compose
published."""
SERVER_PORT_NAME = "web"  # the operator's name for both servers' port, as kube-prometheus' Services name theirs
GOVERNING_SERVICES = {PROMETHEUS: "prometheus-operated", ALERTMANAGER: "alertmanager-operated"}
"""The operator's governing Services: each lists every Prometheus (Alertmanager) pod of its namespace."""
DATASOURCE_URLS = {"prometheus_url": "Prometheus", "alertmanager_url": "Alertmanager", "loki_url": "Loki",
                   "tempo_url": "Tempo"}
"""GrafanaSettings' fields holding a data source's URL, and the data source's name."""
SERVER_BY_SOURCE = {Source.PROMETHEUS: PROMETHEUS, Source.ALERTMANAGER: ALERTMANAGER}


def server_service(kube: Kubernetes, server: str) -> str:
    """The Service of the packaging's Prometheus or Alertmanager (server): prometheus-<prometheus_name> and
    alertmanager-<alertmanager_name>, which selects that resource's pods only (obsgen's, or with servers=False
    kube-prometheus' own prometheus-k8s and alertmanager-main)."""
    return f"{server}-{kube.prometheus_name if server == PROMETHEUS else kube.alertmanager_name}"


class How(Enum):
    """How a host became a Service."""

    MAPPED = "mapped"  # Kubernetes.services names it
    SERVER = "server"  # the Service of the packaging's Prometheus or Alertmanager
    ASSUMED = "assumed"  # a Service of the host's name in the packaging's namespace


@dataclass(frozen=True)
class Service:
    """A Kubernetes Service standing for a compose host."""

    name: str
    namespace: str
    how: How
    port: int | None = None
    """The Service port a URL reaches: a server's Service's web port, Kubernetes.service_ports' for a mapped host;
    None when unknown (a URL keeps its own port)."""
    endpoint: str | int | None = None
    """Which endpoints a scrape keeps, when not those at the compose port: the Service port's name or the pods'
    port number (generator.model.kubernetes.ServiceRef.port)."""

    @property
    def dns(self) -> str:
        """Its cluster DNS name."""
        return f"{self.name}.{self.namespace}.svc"


def split_address(address: str) -> tuple[str, int]:
    """(host, port) of a host:port."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def resolvable(host: str) -> bool:
    """Whether a host resolves inside a cluster as it does outside it: a fully qualified name or an IP address."""
    return ("." in host or ":" in host) and not LOOPBACK.match(host)


def mapped(kube: Kubernetes, host: str, port: int | None) -> str | None:
    """The Service Kubernetes.services names for host:port, else for the host (several components on `localhost`
    are told apart by port)."""
    return kube.services.get(f"{host}:{port}") or kube.services.get(host)


def service_port_key(kube: Kubernetes, host: str, port: int | None) -> str | None:
    """The Kubernetes.service_ports entry a URL to host:port takes its Service port from: host:port's, else the
    host's; None: neither is given."""
    return next((key for key in (f"{host}:{port}", host) if key in kube.service_ports), None)


def service_port(kube: Kubernetes, host: str, port: int | None) -> int | None:
    """The Service port Kubernetes.service_ports gives a URL to host:port, else to the host; None: not given."""
    key = service_port_key(kube, host, port)
    return kube.service_ports[key] if key else None


def service(kube: Kubernetes, host: str, server: str | None = None, port: int | None = None) -> Service | None:
    """The Service a compose host (at a port) stands for (server: PROMETHEUS or ALERTMANAGER when the host is one);
    None when the host needs no Service (it resolves in the cluster) or none can stand for it."""
    named = mapped(kube, host, port)
    if named:
        ref = service_ref(named)
        return Service(ref.name, ref.namespace or kube.namespace, How.MAPPED, service_port(kube, host, port),
                       ref.port)
    if server is not None:
        return Service(server_service(kube, server), kube.namespace, How.SERVER, SERVER_PORTS[server],
                       SERVER_PORT_NAME)
    if resolvable(host) or LOOPBACK.match(host) or not DNS_LABEL.match(host) or len(host) > 63:
        return None
    return Service(host, kube.namespace, How.ASSUMED)


def unmappable(kube: Kubernetes, host: str, server: str | None = None, port: int | None = None) -> bool:
    """Whether no Service can stand for a host: Kubernetes.services names none, and it is a loopback address (in a
    pod, the pod itself) or a name that is no DNS label."""
    return server is None and not mapped(kube, host, port) and not resolvable(host) and (
        bool(LOOPBACK.match(host)) or not DNS_LABEL.match(host) or len(host) > 63)


def job_server(job: ScrapeJob) -> str | None:
    """The server (PROMETHEUS or ALERTMANAGER) a scrape job's targets are, if it scrapes one."""
    return SERVER_BY_SOURCE.get(job.source)


def url_in_cluster(kube: Kubernetes, url: str, server: str | None = None) -> str:
    """A URL with its compose host replaced by the Service standing for it (unchanged when it needs none)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    found = service(kube, host, server, parts.port)
    if found is None:
        return url
    port = found.port or parts.port
    netloc = found.dns + (f":{port}" if port else "")
    if parts.username:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    return parts._replace(netloc=netloc).geturl()


@dataclass(frozen=True)
class Address:
    """An address some output names: where it is defined and what reaches it."""

    what: str
    """How messages introduce it: "scrape job node target node-exporter:9100"."""
    host: str
    port: int | None
    server: str | None
    """PROMETHEUS or ALERTMANAGER when the address is one of the servers."""
    at: Definition
    """The definition (or Kubernetes settings) naming it."""
    field: tuple[str | int, ...]
    """The field of `at` naming it."""
    url: bool = False
    """A URL, reaching the Service at its Service port (else a scrape target, its pods at theirs)."""


def addresses(project: Project, kube: Kubernetes) -> list[Address]:
    """Every compose address out/kubernetes/ names: scrape targets, the Grafana data sources and remote write."""
    found = [Address(f"scrape job {job.name} target {target}", *split_address(target), job_server(job), job,
                     ("targets", number))
             for job in project.scrape_jobs for number, target in enumerate(job.targets)]
    grafana = settings(project)
    servers = {"prometheus_url": PROMETHEUS, "alertmanager_url": ALERTMANAGER}
    declared = grafana.location != UNKNOWN  # else the defaults: said at the packaging
    for name in DATASOURCE_URLS:
        url = getattr(grafana, name)
        found.append(Address(f"Grafana's {DATASOURCE_URLS[name]} data source {url}", urlsplit(url).hostname or "",
                             urlsplit(url).port, servers.get(name), grafana if declared else kube,
                             (name,) if declared else (), url=True))
    retention = project.retention
    if retention is not None and retention.long_term_url:
        url = retention.long_term_url
        found.append(Address(f"remote write {url}", urlsplit(url).hostname or "", urlsplit(url).port, None, retention,
                             ("long_term_url",), url=True))
    return found


def packaged_addresses(project: Project) -> tuple[Kubernetes, list[tuple[Address, Service | None]]] | None:
    """The Kubernetes packaging's settings and every address it names, each with the Service standing for its host
    (None: kept as it is, or none can); None when the project is not packaged for Kubernetes."""
    declared = project.all(Kubernetes)
    if not declared:
        return None
    kube = declared[0]
    return kube, [(address, service(kube, address.host, address.server, address.port))
                  for address in addresses(project, kube)]
