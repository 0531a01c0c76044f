"""The ServiceAccount the Prometheus resource runs as, and what it may do: discover its targets (a Role in each
namespace it discovers in) and get the paths it scrapes with its own token (a ClusterRole).

An exporter behind kube-rbac-proxy (kube-prometheus' node-exporter and kube-state-metrics) lets a scrape through
only when the API server says the bearer token's identity may `get` the request's path as a non-resource URL (its
SubjectAccessReview: the HTTP method's verb, the URL's path, no resource). A job sending Prometheus' own token
(ClusterEndpoint.bearer_token_file = the ServiceAccount's) needs that grant for this ServiceAccount, which only a
ClusterRole bound by a ClusterRoleBinding gives (the API server refuses non-resource URLs in a Role). The proxy's
own right to review tokens belongs to the exporter's installation, which obsgen does not package (MP018).
"""

from __future__ import annotations

from typing import Any

from generator.model import Kubernetes
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN
from generator.model.project import Project
from generator.package.object_meta import cluster_metadata, metadata

DIR = "kubernetes/prometheus"
RBAC = "rbac.authorization.k8s.io"
DISCOVERY_RULES = (
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["services", "pods"], "verbs": ["get", "list", "watch"]},
)
"""What endpointslice discovery reads in a namespace and no more (upstream's discovery/kubernetes: an informer
each on EndpointSlices, Services and Pods, listing and watching): the Alertmanager replicas behind its own
Service (alertmanager-<alertmanager_name>), the pods behind a ServiceMonitor's Service or a PodMonitor's selector,
and behind each Service the scrape configs discover. No v1 Endpoints: the operator discovers by EndpointSlice too
(its serviceDiscoveryRole EndpointSlice)."""
SCRAPE_VERB = "get"  # kube-rbac-proxy's verb for a GET request, as the API server's for a non-resource URL


def account_name(kube: Kubernetes) -> str:
    """The ServiceAccount Prometheus runs as: kube-prometheus' name for it (prometheus-k8s)."""
    return f"prometheus-{kube.prometheus_name}"


def token_scraped_paths(project: Project) -> list[str]:
    """The paths scrape jobs get with Prometheus' own ServiceAccount token, which it must be allowed to get."""
    return sorted({job.metrics_path for job in project.scrape_jobs
                   if job.cluster.bearer_token_file == SERVICE_ACCOUNT_TOKEN})


def _subject(kube: Kubernetes) -> list[dict[str, str]]:
    return [{"kind": "ServiceAccount", "name": account_name(kube), "namespace": kube.namespace}]


def _discovery_role(kube: Kubernetes, namespace: str) -> dict[str, Any]:
    """A Role and its binding letting Prometheus' account discover in one namespace."""
    account = account_name(kube)
    suffix = "" if namespace == kube.namespace else f"-{namespace}"
    meta = {**metadata(kube, account), "namespace": namespace}
    return {
        f"{DIR}/role{suffix}.yaml": {"apiVersion": f"{RBAC}/v1", "kind": "Role", "metadata": meta,
                                     "rules": [dict(rule) for rule in DISCOVERY_RULES]},
        f"{DIR}/role-binding{suffix}.yaml": {
            "apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": account}, "subjects": _subject(kube)},
    }


def _scrape_grant(kube: Kubernetes, paths: list[str]) -> dict[str, Any]:
    """A ClusterRole letting Prometheus' account get the paths it scrapes with its token, and its binding; named for
    the namespace too, as cluster-wide names are (two packagings, or kube-prometheus' own ClusterRole prometheus-k8s,
    keep theirs)."""
    if not paths:
        return {}
    meta = cluster_metadata(kube, f"{account_name(kube)}-{kube.namespace}-scrape")
    return {
        f"{DIR}/cluster-role.yaml": {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": meta,
                                     "rules": [{"nonResourceURLs": paths, "verbs": [SCRAPE_VERB]}]},
        f"{DIR}/cluster-role-binding.yaml": {
            "apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": meta["name"]}, "subjects": _subject(kube)},
    }


def prometheus_access(project: Project, kube: Kubernetes, namespaces: set[str]) -> dict[str, Any]:
    """The ServiceAccount Prometheus runs as, allowed to discover in its namespace and in those its scrape configs
    discover in (a Role each), and to get what it scrapes with its own token."""
    files = {f"{DIR}/service-account.yaml": {"apiVersion": "v1", "kind": "ServiceAccount",
                                             "metadata": metadata(kube, account_name(kube))}}
    for namespace in sorted({kube.namespace, *namespaces}):
        files |= _discovery_role(kube, namespace)
    return files | _scrape_grant(kube, token_scraped_paths(project))
