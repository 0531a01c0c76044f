"""Grafana JSON kept verbatim: the target writes it over what it generates, and `obsgen import` keeps
exactly what the generated JSON does not already say, so the two are inverse operations.

In Grafana's JSON model a key that is absent means the same as null, "" or an empty list or object, so
those values carry nothing to keep, unless the generated JSON says something else there (a legend format
"__auto" where the source had "", legend calcs where it had []): then the empty string or list is kept, so
the built dashboard means what the source meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def merge(generated: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """generated with extra written over it: nested objects merged key by key, any other value replaced."""
    if not extra:
        return generated
    merged = dict(generated)
    for key, value in extra.items():
        base = merged.get(key)
        merged[key] = merge(base, value) if isinstance(base, dict) and isinstance(value, dict) else value
    return merged


def empty(value: Any) -> bool:
    """Whether a value says nothing an absent key does not."""
    return value is None or (isinstance(value, str | list | dict) and not value)


def covered(source: Any, generated: Any) -> bool:
    """Whether generated says everything source says (it may say more)."""
    if isinstance(source, dict):
        return isinstance(generated, dict) and not residual(source, generated)
    if isinstance(source, list):
        return (isinstance(generated, list) and len(source) == len(generated)
                and all(covered(s, g) for s, g in zip(source, generated, strict=True)))
    return source == generated and isinstance(source, bool) == isinstance(generated, bool)


def residual(source: dict[str, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """What source says that generated does not: merge(generated, residual(source, generated)) says all of it.

    Lists are kept whole when they differ (Grafana reads them as one value: steps, overrides, targets).
    """
    found: dict[str, Any] = {}
    for key, value in source.items():
        if empty(value) and (not isinstance(value, str | list) or empty(generated.get(key))
                             or isinstance(generated[key], dict)):
            continue  # null and {} say nothing; "" and [] do where obsgen would write something
        if key not in generated:
            found[key] = value
        elif isinstance(value, dict) and isinstance(generated[key], dict):
            inner = residual(value, generated[key])
            if inner:
                found[key] = inner
        elif not covered(value, generated[key]):
            found[key] = value
    return found


def without(document: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """A document without the keys a converter owns (sets from its model, or leaves out on purpose)."""
    owned = set(keys)
    return {key: value for key, value in document.items() if key not in owned}
