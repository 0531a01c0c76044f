"""A scrape job sends Prometheus' ServiceAccount token to a server that must be allowed to review it.

kube-rbac-proxy, in front of kube-prometheus' node-exporter and kube-state-metrics (and of any exporter protected
the same way), lets a scrape through after two questions to the API server: a TokenReview (whose token is this?)
and a SubjectAccessReview (may it `get` this path?). Its own ServiceAccount must be allowed to `create` both:
`tokenreviews` in authentication.k8s.io and `subjectaccessreviews` in authorization.k8s.io, a ClusterRole bound to
it (kube-prometheus' ClusterRoles node-exporter and kube-state-metrics hold these rules; kube-rbac-proxy's
examples too). Without them every scrape is refused, and the job's alerts and panels see nothing. out/kubernetes/
grants Prometheus' side, the paths it gets with its token (a ClusterRole of its ServiceAccount), but packages no
exporter: the exporter's installation must grant the proxy's.

Fix: install the exporter with its proxy's ClusterRole and binding (kube-prometheus does), then switch MP018 off
for the job, saying which grants it: `# obsgen: disable=MP018 kube-prometheus' ClusterRole node-exporter lets its
kube-rbac-proxy review tokens`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Finding
from generator.checks.packaged import Served, over_packaged_addresses, token_scrapes
from generator.core.errors import Level
from generator.model import Kubernetes
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN

CODE = "MP018"
NAME = "token-review"
LEVEL = Level.WARNING
REVIEWS = ("create tokenreviews (authentication.k8s.io) and subjectaccessreviews (authorization.k8s.io)")
"""What kube-rbac-proxy's ServiceAccount must be allowed (kube-prometheus' node-exporter.libsonnet clusterRole)."""


@over_packaged_addresses
def check(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    for job, reached in token_scrapes(served):
        if job.cluster.bearer_token_file == SERVICE_ACCOUNT_TOKEN:
            yield Finding(job, f"kubernetes: scrape job {job.name} sends Prometheus' ServiceAccount token to "
                               f"{', '.join(reached)}: what checks it there (kube-rbac-proxy) must run as a "
                               f"ServiceAccount allowed to {REVIEWS}, which the exporter's installation grants (as "
                               "kube-prometheus' ClusterRoles node-exporter and kube-state-metrics do), not "
                               "out/kubernetes/", ("cluster",))
