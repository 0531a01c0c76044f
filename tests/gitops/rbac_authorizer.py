"""The API server's RBAC answer to a non-resource SubjectAccessReview, over a set of RBAC objects: what
kube-rbac-proxy asks before it lets a scrape through (its default attributes: the request's path, the HTTP method's
verb, no resource).

As upstream's plugin/pkg/auth/authorizer/rbac: a non-resource request is allowed by the rules of ClusterRoles that
ClusterRoleBindings bind to the user (a RoleBinding grants within its namespace only, and no non-resource URL);
pkg/apis/rbac/v1/evaluation_helpers.go's VerbMatches ('*' or the verb) and NonResourceURLMatches ('*', the URL, or a
prefix ending in '*'). A ServiceAccount's token authenticates as system:serviceaccount:<namespace>:<name>, in the
groups system:serviceaccounts, system:serviceaccounts:<namespace> and system:authenticated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _binds(subject: dict[str, str], namespace: str, name: str) -> bool:
    if subject["kind"] == "ServiceAccount":
        return subject["name"] == name and subject.get("namespace") == namespace
    if subject["kind"] == "Group":
        return subject["name"] in {"system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                   "system:authenticated"}
    return subject["kind"] == "User" and subject["name"] == f"system:serviceaccount:{namespace}:{name}"


def _url_matches(rule_url: str, path: str) -> bool:
    return rule_url in ("*", path) or (rule_url.endswith("*") and path.startswith(rule_url.rstrip("*")))


def allows_non_resource(objects: Iterable[dict[str, Any]], account: tuple[str, str], verb: str, path: str) -> bool:
    """Whether the ServiceAccount (namespace, name) may `verb` the non-resource URL `path`."""
    documents = list(objects)
    cluster_roles = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ClusterRole"}
    for binding in (d for d in documents if d["kind"] == "ClusterRoleBinding"):
        if not any(_binds(subject, *account) for subject in binding.get("subjects", [])):
            continue
        role = cluster_roles.get(binding["roleRef"]["name"], {})
        for rule in role.get("rules", []):
            if any(v in ("*", verb) for v in rule["verbs"]) and any(
                    _url_matches(url, path) for url in rule.get("nonResourceURLs", [])):
                return True
    return False
