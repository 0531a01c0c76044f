"""The metadata of every object out/kubernetes/ writes: its name checked, its namespace, obsgen's label."""

from __future__ import annotations

import re
from typing import Any

from generator.core.errors import DefinitionError
from generator.model import Kubernetes

OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")  # a DNS-1123 subdomain
MANAGED_BY = {"app.kubernetes.io/managed-by": "obsgen"}


def metadata(kube: Kubernetes, name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Object metadata: name, namespace and labels (obsgen's own, then the given ones)."""
    scoped = cluster_metadata(kube, name, labels)
    return {"name": scoped["name"], "namespace": kube.namespace, "labels": scoped["labels"]}


def cluster_metadata(kube: Kubernetes, name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A cluster-scoped object's metadata (a ClusterRole's): name and labels, no namespace."""
    if len(name) > 253 or not OBJECT_NAME.match(name):
        raise DefinitionError(kube.location, f"{name!r} is not a Kubernetes object name (a DNS-1123 subdomain)")
    return {"name": name, "labels": {**MANAGED_BY, **(labels or {})}}
