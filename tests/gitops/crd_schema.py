"""Validation of Kubernetes objects against the vendored CRDs' OpenAPI schemas, as a strict API server does,
and of the core ConfigMap and Secret against a schema of their API reference fields."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no types; types-jsonschema is no dependency

CRDS = Path(__file__).parent / "crds"
FILES = {"PrometheusRule": "prometheusrules-crd.json", "AlertmanagerConfig": "alertmanagerconfigs-crd.json",
         "Prometheus": "prometheuses-crd.json", "Alertmanager": "alertmanagers-crd.json"}


def _strict(schema: Any, route: Any = None) -> Any:
    """Unknown fields become errors, and the route schema also applies to nested routes (typed as raw JSON)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value, route) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema and not schema.get(
                "x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        if route is not None and "routes" in schema.get("properties", {}):
            schema["properties"]["routes"]["items"] = {"$ref": "#/$defs/route"}
    elif isinstance(schema, list):
        schema = [_strict(item, route) for item in schema]
    return schema


@cache
def schema(kind: str, api_version: str) -> dict[str, Any]:
    """The strict openAPIV3Schema of a kind at an apiVersion."""
    crd = json.loads((CRDS / FILES[kind]).read_text())
    version = api_version.split("/")[1]
    found = next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]
    route = found["properties"]["spec"]["properties"].get("route")
    strict = _strict(copy.deepcopy(found), route)
    if route is not None:
        strict["$defs"] = {"route": _strict(copy.deepcopy(route), route)}
    return dict(strict)


def _unique_map_keys(value: Any, schema_node: Any, where: str, errors: list[str]) -> None:
    if not isinstance(schema_node, dict):
        return
    if isinstance(value, list) and schema_node.get("x-kubernetes-list-type") == "map":
        keys = [tuple(item.get(k) for k in schema_node["x-kubernetes-list-map-keys"]) for item in value]
        if len(set(keys)) != len(keys):
            errors.append(f"{where}: duplicate list-map keys {keys}")
    if isinstance(value, dict):
        for key, item in value.items():
            _unique_map_keys(item, schema_node.get("properties", {}).get(key), f"{where}.{key}", errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _unique_map_keys(item, schema_node.get("items"), f"{where}[{index}]", errors)


DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
QUALIFIED_NAME = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
METADATA: dict[str, Any] = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": DNS_SUBDOMAIN},
        "namespace": {"type": "string", "maxLength": 63, "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "labels": {"type": "object", "propertyNames": {"pattern": QUALIFIED_NAME},
                   "additionalProperties": {"type": "string", "maxLength": 63,
                                            "pattern": "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"}},
        "annotations": {**STRINGS, "propertyNames": {"pattern": QUALIFIED_NAME}},
    },
}
DATA = {**STRINGS, "propertyNames": {"pattern": "^[-._a-zA-Z0-9]+$", "maxLength": 253}}
RBAC = "rbac.authorization.k8s.io/v1"
STRING_LIST = {"type": "array", "items": {"type": "string"}}


def _strict_object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


CLUSTER_METADATA = {**METADATA, "properties": {key: value for key, value in METADATA["properties"].items()
                                                if key != "namespace"}}
"""A cluster-scoped object's metadata: a namespace on it is no place it lives in."""


def _core(api_version: str, kind: str, required: tuple[str, ...] | list[str] = (), metadata: Any = METADATA,
          **fields: Any) -> dict[str, Any]:
    """A core kind's object: apiVersion, kind, metadata and the given fields, nothing else."""
    return _strict_object({"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": metadata,
                           **fields}, ["apiVersion", "kind", "metadata", *required])


NON_EMPTY = {**STRING_LIST, "minItems": 1}
RESOURCE_RULE = _strict_object({"apiGroups": NON_EMPTY, "resources": NON_EMPTY, "resourceNames": STRING_LIST,
                                "verbs": NON_EMPTY}, required=["apiGroups", "resources", "verbs"])
NON_RESOURCE_RULE = _strict_object({"nonResourceURLs": {**NON_EMPTY, "items": {"type": "string", "pattern": "^/"}},
                                    "verbs": NON_EMPTY}, required=["nonResourceURLs", "verbs"])
"""A policy rule as the API server validates it (ValidatePolicyRule): resources with their API groups, or non-resource
URLs alone ("rules cannot apply to both regular resources and non-resource URLs"), and only in a ClusterRole
("namespaced rules cannot apply to non-resource URLs")."""
ROLE_REF = _strict_object({"apiGroup": {"type": "string"}, "kind": {"enum": ["Role", "ClusterRole"]},
                           "name": {"type": "string"}}, required=["apiGroup", "kind", "name"])
SUBJECTS = {"type": "array", "items": _strict_object({key: {"type": "string"} for key in (
    "apiGroup", "kind", "name", "namespace")}, required=["kind", "name"])}


INT_OR_PERCENT = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+%$"}]}
LABEL_SELECTOR = _strict_object({"matchLabels": STRINGS, "matchExpressions": {"type": "array", "items": _strict_object(
    {"key": {"type": "string"}, "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
     "values": STRING_LIST}, required=["key", "operator"])}}, required=[])
DISRUPTION_BUDGET_SPEC = {
    **_strict_object({"minAvailable": INT_OR_PERCENT, "maxUnavailable": INT_OR_PERCENT, "selector": LABEL_SELECTOR,
                      "unhealthyPodEvictionPolicy": {"enum": ["IfHealthyBudget", "AlwaysAllow"]}}, required=[]),
    "not": {"required": ["minAvailable", "maxUnavailable"]},  # the API server refuses both at once
}
PORT_NUMBER = {"type": "integer", "minimum": 1, "maximum": 65535}
PORT_NAME = {"type": "string", "maxLength": 15, "pattern": "^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}
SERVICE_SPEC = _strict_object({
    "ports": {"type": "array", "minItems": 1, "items": _strict_object({
        "name": PORT_NAME, "port": PORT_NUMBER, "targetPort": {"anyOf": [PORT_NUMBER, PORT_NAME]},
        "protocol": {"enum": ["TCP", "UDP", "SCTP"]}}, required=["port"])},
    "selector": STRINGS, "sessionAffinity": {"enum": ["ClientIP", "None"]},
    "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]}, "clusterIP": {"type": "string"}},
    required=[])
"""A Service's spec as the API server validates the fields obsgen writes (ports named as IANA_SVC_NAME)."""

# Core (v1, RBAC, policy) kinds are no CRDs: the fields of the Kubernetes API reference that obsgen writes, strictly.
CORE = {
    "ConfigMap": _core("v1", "ConfigMap", data=DATA, binaryData=DATA, immutable={"type": "boolean"}),
    "Secret": _core("v1", "Secret", type={"type": "string"}, data=DATA, stringData=DATA, immutable={"type": "boolean"}),
    "ServiceAccount": _core("v1", "ServiceAccount", automountServiceAccountToken={"type": "boolean"}),
    "Role": _core(RBAC, "Role", rules={"type": "array", "items": RESOURCE_RULE}),
    "ClusterRole": _core(RBAC, "ClusterRole", metadata=CLUSTER_METADATA, rules={"type": "array", "items": {
        "oneOf": [RESOURCE_RULE, NON_RESOURCE_RULE]}}),
    "Service": _core("v1", "Service", required=["spec"], spec=SERVICE_SPEC),
    "PodDisruptionBudget": _core("policy/v1", "PodDisruptionBudget", required=["spec"], spec=DISRUPTION_BUDGET_SPEC),
    "RoleBinding": _core(RBAC, "RoleBinding", required=["roleRef"], roleRef=ROLE_REF, subjects=SUBJECTS),
    "ClusterRoleBinding": _core(RBAC, "ClusterRoleBinding", required=["roleRef"], metadata=CLUSTER_METADATA,
                                roleRef={**ROLE_REF, "properties": {**ROLE_REF["properties"],
                                                                    "kind": {"const": "ClusterRole"}}},
                                subjects=SUBJECTS),
}


def validate(document: dict[str, Any]) -> list[str]:
    """Every schema violation of a custom resource or core object, as readable lines (empty when valid)."""
    found = CORE.get(document["kind"]) or schema(document["kind"], document["apiVersion"])
    validator = jsonschema.Draft202012Validator(found)
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    _unique_map_keys(document, found, "", errors)
    return errors
