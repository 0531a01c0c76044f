"""A scrape job reaches a Service known to serve https over plain http.

kube-prometheus puts kube-rbac-proxy in front of node-exporter and kube-state-metrics: the node-exporter Service's
only port, `https` (9100), and kube-state-metrics' `https-main` (8443) and `https-self` (9443) serve TLS and let
through only a bearer token allowed to get /metrics (its ServiceMonitors: scheme https, bearerTokenFile, tlsConfig
insecureSkipVerify). A Service port named https, or https-something, says the same. Scraped as compose scrapes, over
plain http, every such target is down (Go's TLS server answers 400 "Client sent an HTTP request to an HTTPS server")
and the job's alerts and panels see nothing.

Fix: `ScrapeJob(..., cluster=ClusterEndpoint(scheme="https", bearer_token_file=SERVICE_ACCOUNT_TOKEN,
insecure_skip_verify=True))`, as kube-prometheus' ServiceMonitor does. kube-rbac-proxy then asks the API server
whether Prometheus' ServiceAccount may get the non-resource URL /metrics: kube-prometheus' ClusterRole prometheus-k8s
grants it to its ServiceAccount prometheus-k8s in monitoring (which Kubernetes(prometheus_name="k8s") runs as).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.cluster_addresses import job_operated, service, split_address
from generator.model import Kubernetes

CODE = "XR024"
NAME = "plain-http-to-https"
LEVEL = Level.WARNING

KUBE_RBAC_PROXIED = {"node-exporter": {"https": 9100}, "kube-state-metrics": {"https-main": 8443, "https-self": 9443}}
"""kube-prometheus' Services whose ports kube-rbac-proxy serves, by port name and the pods' port (its jsonnet
components node-exporter.libsonnet and kube-state-metrics.libsonnet)."""


def _https(name: str, endpoint: str | int) -> str | None:
    """Why the endpoints a job keeps of Service `name` at `endpoint` (a port name or the pods' port) serve https."""
    if isinstance(endpoint, str) and (endpoint == "https" or endpoint.startswith("https-")):
        return f"its port {endpoint} is named for https"
    ports = KUBE_RBAC_PROXIED.get(name, {})
    if endpoint in ports or endpoint in ports.values():
        return f"kube-prometheus' {name} serves https there through kube-rbac-proxy"
    return None


def check(context: Context) -> Iterator[Finding]:
    declared = context.project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    for job in context.project.scrape_jobs:
        if job.cluster.scheme == "https":
            continue
        for number, target in enumerate(job.targets):
            host, port = split_address(target)
            found = service(kube, host, job_operated(job), port)
            reason = found and _https(found.name, found.endpoint or port)
            if found and reason:
                yield Finding(job, f"kubernetes: scrape job {job.name} target {target}: Service {found.dns} at "
                                   f"{found.endpoint or port} is scraped over plain http, and {reason}; say "
                                   "cluster=ClusterEndpoint(scheme='https', bearer_token_file=..., ...) as its "
                                   "ServiceMonitor endpoint does", ("targets", number))
