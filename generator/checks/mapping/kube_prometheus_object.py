"""An object out/kubernetes/ writes has the kind, namespace and name of one kube-prometheus installs.

`kubectl apply` (kustomize, Argo CD and Flux alike) finds the object to change by kind, namespace and name. Applied
in a cluster where kube-prometheus runs, such an object replaces kube-prometheus' own: with
`Kubernetes(prometheus_name="k8s")` its Prometheus k8s would be reconfigured as obsgen's, its ServiceAccount taken
over and its Roles prometheus-k8s narrowed to obsgen's grants (no Ingresses, which its discovery reads, nor
Endpoints where its operator discovers by them). kube-prometheus installs in namespace monitoring (its objects:
generator/checks/kube_prometheus.py); its cluster-scoped objects clash from any namespace. Unset, the servers obsgen
writes are named obsgen and clash with nothing.

One object is meant to be kube-prometheus': with `servers=False`, out/kubernetes/ configures the installation's
Alertmanager (kube-prometheus' main unless alertmanager_name says otherwise) through its config Secret
alertmanager-<alertmanager_name>. That one is not said.

Fix: name obsgen's servers otherwise (leave prometheus_name and alertmanager_name unset), give an imported dashboard
another grafana_uid, or package into a namespace of its own; where no kube-prometheus runs in the cluster, switch
MP020 off at the definition saying so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.kube_prometheus import INSTALLED, ObjectKey
from generator.core.errors import Level
from generator.derive.dashboards import dashboards
from generator.model import Definition, Kubernetes
from generator.model.identity import slug
from generator.model.project import Project

CODE = "MP020"
NAME = "kube-prometheus-object"
LEVEL = Level.WARNING

PACKAGED = "kubernetes/"
"""Where generator.package.kubernetes puts its objects among the rendered documents, one folder per part."""
CONFIG_SECRET = "kubernetes/alertmanager/config-secret.yaml"
DASHBOARDS = "kubernetes/grafana-dashboards/"
FIELDS = {"kubernetes/prometheus/": ("prometheus_name", "name obsgen's Prometheus otherwise (prometheus_name)"),
          "kubernetes/alertmanager/": ("alertmanager_name", "name obsgen's Alertmanager otherwise (alertmanager_name)")}
"""The field naming the objects of each folder, and what to do about it."""
OTHERWISE = ("namespace", "package into a namespace of its own (namespace)")


def _shown(key: ObjectKey) -> str:
    kind, namespace, name = key
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def responsible(project: Project, kube: Kubernetes, path: str, name: str) -> tuple[Definition, str, str]:
    """The definition and field naming the object at path, and the fix."""
    for folder, (field, fix) in FIELDS.items():
        if path.startswith(folder):
            return kube, field, fix
    for dashboard in dashboards(project):
        if path.startswith(DASHBOARDS) and slug(f"grafana-dashboard-{dashboard.uid}") == name:
            field = "grafana_uid" if dashboard.grafana_uid else "name"
            return dashboard, field, "give the dashboard another grafana_uid"
    return kube, *OTHERWISE


def _clashing(rendered: Mapping[str, Any], kube: Kubernetes) -> Iterator[tuple[str, ObjectKey]]:
    for path, document in sorted(rendered.items()):
        if not path.startswith(PACKAGED) or not isinstance(document, dict) or "metadata" not in document:
            continue
        meta = document["metadata"]
        key = (document["kind"], meta.get("namespace"), meta["name"])
        meant = path == CONFIG_SECRET and not kube.servers  # the installation's Alertmanager's configuration
        if key in INSTALLED and not meant:
            yield path, key


def check(context: Context) -> Iterator[Finding]:
    declared = context.project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    places: dict[tuple[int, str], tuple[Definition, str, str, list[str]]] = {}
    for path, key in _clashing(context.rendered, kube):
        at, field, fix = responsible(context.project, kube, path, key[2])
        places.setdefault((id(at), field), (at, field, fix, []))[3].append(_shown(key))
    for at, field, fix, objects in places.values():
        them = "it" if len(objects) == 1 else "them"
        yield Finding(at, f"kubernetes: {', '.join(sorted(objects))}: kube-prometheus installs {them} too, and "
                          f"applied beside it out/kubernetes/ takes {them} over; {fix}, or where no kube-prometheus "
                          "runs switch MP020 off here saying so", (field,))
