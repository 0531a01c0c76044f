"""A scrape job reaches a Service known to serve https over plain http.

kube-prometheus puts kube-rbac-proxy in front of node-exporter and kube-state-metrics, Services of its namespace
(monitoring, as its manifests install them; a Service of one of those names elsewhere is another's): node-exporter's
only port, `https` (9100), and kube-state-metrics' `https-main` (8443) and `https-self` (9443) serve TLS and let
through only a bearer token allowed to get /metrics (its ServiceMonitors: scheme https, bearerTokenFile, tlsConfig
insecureSkipVerify). A Service port named https, or https-something, says the same. Scraped as compose scrapes, over
plain http, every such target is down (Go's TLS server answers 400 "Client sent an HTTP request to an HTTPS server")
and the job's alerts and panels see nothing.

Fix: `ScrapeJob(..., cluster=ClusterEndpoint(scheme="https", bearer_token_file=SERVICE_ACCOUNT_TOKEN,
insecure_skip_verify=True))`, as kube-prometheus' ServiceMonitor does. kube-rbac-proxy then asks the API server
whether Prometheus' ServiceAccount may get the non-resource URL /metrics: out/kubernetes/ grants it to the account
its Prometheus resource runs as (a ClusterRole), and says who else must (MP018 the proxy's reviews, MP019 another
installation's Prometheus).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.kube_prometheus import NAMESPACE
from generator.checks.packaged import Served, over_packaged_addresses
from generator.core.errors import Level
from generator.derive.cluster_addresses import Service
from generator.model import Kubernetes, ScrapeJob

CODE = "XR024"
NAME = "plain-http-to-https"
LEVEL = Level.WARNING

KUBE_RBAC_PROXIED = {(NAMESPACE, "node-exporter"): {"https": 9100},
                     (NAMESPACE, "kube-state-metrics"): {"https-main": 8443, "https-self": 9443}}
"""kube-prometheus' Services (namespace, name) whose ports kube-rbac-proxy serves, by port name and the pods' port
(its jsonnet components node-exporter.libsonnet and kube-state-metrics.libsonnet)."""


def _https(found: Service, endpoint: str | int) -> str | None:
    """Why the endpoints a job keeps of a Service at `endpoint` (a port name or the pods' port) serve https."""
    if isinstance(endpoint, str) and (endpoint == "https" or endpoint.startswith("https-")):
        return f"its port {endpoint} is named for https"
    ports = KUBE_RBAC_PROXIED.get((found.namespace, found.name), {})
    if endpoint in ports or endpoint in ports.values():
        return f"kube-prometheus' {found.name} serves https there through kube-rbac-proxy"
    return None


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    for address, found in served:
        job = address.at
        if not isinstance(job, ScrapeJob) or found is None or job.in_cluster.scheme == "https":
            continue
        endpoint = found.endpoint or address.port
        reason = endpoint is not None and _https(found, endpoint)
        if reason:
            yield Finding(job, f"kubernetes: {address.what}: Service {found.dns} at {endpoint} is scraped over "
                               f"plain http, and {reason}; say cluster=ClusterEndpoint(scheme='https', "
                               "bearer_token_file=..., ...) as its ServiceMonitor endpoint does", address.field)
