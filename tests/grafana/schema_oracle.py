"""Grafana's dashboard schema as an oracle: the Grafana Foundation SDK (generated from Grafana's own schema)
loads a dashboard back; every field we wrote must survive the round trip with its type intact."""

from __future__ import annotations

import enum
import json
import types
import typing
import warnings
from typing import Any

from grafana_foundation_sdk.cog import runtime
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import dashboard as sdk_dashboard
from grafana_foundation_sdk.models import prometheus as sdk_prometheus

register_default_plugins()


def _lost(ours: Any, theirs: Any, path: str) -> list[str]:
    """Where the SDK's reading differs from what we wrote (keys it dropped, values it changed)."""
    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            return [f"{path}: became {type(theirs).__name__}"]
        problems = []
        for key, value in ours.items():
            if key not in theirs:
                problems.append(f"{path}.{key}: not in Grafana's schema")
            else:
                problems.extend(_lost(value, theirs[key], f"{path}.{key}"))
        return problems
    if isinstance(ours, list):
        if not isinstance(theirs, list) or len(ours) != len(theirs):
            return [f"{path}: list changed"]
        return [p for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) for p in _lost(a, b, f"{path}[{i}]")]
    return [] if ours == theirs else [f"{path}: {ours!r} read back as {theirs!r}"]


def _mistyped(value: Any, annotation: Any, path: str) -> list[str]:
    """Values that do not have the type the schema declares (enums and literals included)."""
    if value is None:
        return []
    if annotation in (Any, object):  # panel options and custom field config: typed by the panel plugin
        return _object(value, path) if hasattr(value, "to_json") else []
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        attempts = [_mistyped(value, arg, path) for arg in args if arg is not type(None)]
        return [] if any(not a for a in attempts) else attempts[0]
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} not one of {args}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        return [p for i, item in enumerate(value) for p in _mistyped(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        return [p for k, item in value.items() for p in _mistyped(item, args[1], f"{path}.{k}")]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [] if value in {m.value for m in annotation} else [f"{path}: {value!r} not in {annotation.__name__}"]
    if annotation is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected bool, got {value!r}"]
    if annotation in (int, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        whole = annotation is float or float(value).is_integer()
        return [] if ok and whole else [f"{path}: {value!r} is not {annotation.__name__}"]
    if annotation is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string, got {value!r}"]
    if isinstance(annotation, type) and isinstance(value, dict) and hasattr(annotation, "from_json"):
        decoded = annotation.from_json(value)  # the SDK left it raw: read it as the schema says
        return _lost(value, json.loads(json.dumps(decoded, cls=JSONEncoder)), path) + _object(decoded, path)
    if isinstance(annotation, type):
        if not isinstance(value, annotation):
            return [f"{path}: expected {annotation.__name__}, got {type(value).__name__}"]
        return _object(value, path)
    return []


def _object(obj: Any, path: str) -> list[str]:
    if isinstance(obj, runtime.UnknownDataquery):
        return [f"{path}: query of an unknown data source type"]
    hints = typing.get_type_hints(type(obj))
    return [p for name, annotation in hints.items()
            for p in _mistyped(getattr(obj, name), annotation, f"{path}.{name}")]


def problems(document: dict[str, Any]) -> list[str]:
    """Everything Grafana's schema (as the SDK knows it) does not accept in a dashboard document."""
    with warnings.catch_warnings():  # the SDK nudges towards the v2 schema, which Grafana 12 file provisioning lacks
        warnings.simplefilter("ignore", DeprecationWarning)
        loaded = sdk_dashboard.Dashboard.from_json(document)
    found = _lost(document, json.loads(json.dumps(loaded, cls=JSONEncoder)), "dashboard")
    found += _object(loaded, "dashboard")
    for panel in loaded.panels or []:
        for target in getattr(panel, "targets", None) or []:
            if not isinstance(target, sdk_prometheus.Dataquery):
                found.append(f"panel {panel.title!r}: target is not a Prometheus query")
        if isinstance(panel, sdk_dashboard.Panel) and isinstance(panel.options, dict) and panel.options:
            found.append(f"panel {panel.title!r}: options of panel type {panel.type_val!r} unknown to the schema")
    return found
