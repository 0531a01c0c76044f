"""A scrape job's bearer token must be allowed to get the path it scrapes, and out/kubernetes/ does not grant it.

kube-rbac-proxy lets a scrape through only when the API server says the token's identity may `get` the request's
path as a non-resource URL (a SubjectAccessReview; kube-prometheus' ClusterRole prometheus-k8s grants its
Prometheus /metrics and /metrics/slis), which only a ClusterRole bound by a ClusterRoleBinding can grant.
out/kubernetes/ grants it to the ServiceAccount its Prometheus resource runs as, for the jobs sending that account's
token (ClusterEndpoint.bearer_token_file = SERVICE_ACCOUNT_TOKEN). It cannot where the Prometheus resource is
another installation's (Kubernetes(servers=False)), nor for another token file, whose identity it does not know.

Fix: grant that identity `get` on the path, e.g. a ClusterRole with rules `[{nonResourceURLs: ["/metrics"], verbs:
["get"]}]` and a ClusterRoleBinding to the ServiceAccount; with kube-prometheus' Prometheus (servers=False) its
ClusterRole prometheus-k8s already does for /metrics: switch MP019 off for the job saying so.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, over_packaged_addresses, token_scrapes
from generator.core.errors import Level
from generator.model import Kubernetes
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN

CODE = "MP019"
NAME = "scrape-grant-elsewhere"
LEVEL = Level.WARNING


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    for job, reached in token_scrapes(served):
        token = job.cluster.bearer_token_file
        if token != SERVICE_ACCOUNT_TOKEN:
            who = f"the identity of token file {token}, which out/kubernetes/ does not know,"
        elif not kube.servers:
            who = "the ServiceAccount of the Prometheus another installation runs (Kubernetes(servers=False))"
        else:
            continue
        yield Finding(job, f"kubernetes: scrape job {job.name} sends a bearer token to {', '.join(reached)}: {who} "
                           f"must be allowed to get the non-resource URL {job.metrics_path} (a ClusterRole and "
                           "ClusterRoleBinding), which out/kubernetes/ does not grant", ("cluster",))
