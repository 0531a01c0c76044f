"""A Grafana dashboard JSON's template variables (its `templating.list`): the one reader of them, and the one writer
of a copy of the dashboard holding others (the values a link or a query chose)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def template_variables(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's template variables, in order: the objects of its `templating.list`; none when it has no
    templating, or one whose list is not a list (an imported or hostile dashboard's)."""
    templating = document.get("templating")
    listed = templating.get("list") if isinstance(templating, dict) else None
    return [variable for variable in listed if isinstance(variable, dict)] if isinstance(listed, list) else []


def with_variables(document: Mapping[str, Any], variables: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of the dashboard whose templating lists variables, its templating's other keys kept."""
    templating = document.get("templating")
    return {**document, "templating": {**(templating if isinstance(templating, dict) else {}), "list": variables}}
