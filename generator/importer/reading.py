"""Reading files to import, which may be hostile: bounded in size, nesting and aliases, linear in time.

A YAML alias bomb is a few hundred bytes whose aliases multiply into billions of values when the data is
walked, so aliases are refused (rule files and dashboards have no use for them). libyaml composes nested
flow collections recursively in C and scans them in quadratic time: deep flow nesting is refused before
libyaml sees the text, by the deepest run of opening brackets, a bound that quoted brackets only raise.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 16 * 1024 * 1024  # kube-prometheus' largest rule file is 0.2 MiB, its largest dashboard 0.1 MiB
MAX_DEPTH = 64  # a Grafana dashboard nests about 12 levels, a PrometheusRule 8

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


class ReadError(ValueError):
    """The file is beyond what import reads; the message says which bound and how to pass it."""


def check_size(path: Path, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file larger than max_bytes before reading it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError(f"{size / 2**20:.1f} MiB is over the import limit of {max_bytes / 2**20:g} MiB "
                        "(raise it with --max-size)")


def _bracket_depth(text: str) -> int:
    """An upper bound of the flow nesting: the largest rise of opened minus closed brackets (stops past the limit)."""
    level = lowest = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", text):
        level += 1 if bracket in "[{" else -1
        lowest = min(lowest, level)
        deepest = max(deepest, level - lowest)
        if deepest > MAX_DEPTH:
            break
    return deepest


def _too_deep() -> ReadError:
    return ReadError(f"nested deeper than {MAX_DEPTH} levels; no rule file or dashboard needs that")


def _check_nodes(root: Node) -> None:
    """Refuse aliases (a node reached twice) and nesting beyond MAX_DEPTH, walking the nodes without recursion."""
    seen: set[int] = set()
    pending: list[tuple[Node, int]] = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        if id(node) in seen:
            raise ReadError(f"line {node.start_mark.line + 1}: the value anchored here is reused by an alias; YAML "
                          "aliases are refused: write the value out")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(node, SequenceNode):
            pending += [(item, depth + 1) for item in node.value]
        elif isinstance(node, MappingNode):
            pending += [(part, depth + 1) for pair in node.value for part in pair]


def load_yaml(text: str) -> list[Any]:
    """The documents of a YAML text, within the bounds above."""
    if _bracket_depth(text) > MAX_DEPTH:
        raise _too_deep()
    loader = _LOADER(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_nodes(node)
            documents.append(loader.construct_document(node))
    finally:
        loader.dispose()
    return documents


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            pending += [(child, depth + 1) for child in item.values()]
        elif isinstance(item, list):
            pending += [(child, depth + 1) for child in item]
    return deepest


def load_json(text: str) -> Any:
    """A JSON text parsed, within the nesting bound."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    if _depth(value) > MAX_DEPTH:
        raise _too_deep()
    return value
