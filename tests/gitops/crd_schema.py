"""Validation of Kubernetes objects against the vendored CRDs' OpenAPI schemas, as a strict API server does."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CRDS = Path(__file__).parent / "crds"
FILES = {"PrometheusRule": "prometheusrules-crd.json", "AlertmanagerConfig": "alertmanagerconfigs-crd.json"}


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


def validate(document: dict[str, Any]) -> list[str]:
    """Every schema violation of a custom resource, as readable lines (empty when valid)."""
    found = schema(document["kind"], document["apiVersion"])
    validator = jsonschema.Draft202012Validator(found)
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    _unique_map_keys(document, found, "", errors)
    return errors
