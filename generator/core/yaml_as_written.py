"""YAML files to import, within core.untrusted's bounds (aliases within theirs).

Files to import are read as the Go programs that own them read them (load_yaml_as_written): a plain scalar that
YAML 1.1 takes for a boolean, number or date keeps its text (Prometheus reads `page: true` as the label value
"true" and `code: 010` as "010", never "True" or "8").

Each mapping read so knows its lines (Lined: its own and each key's), for an error about it or one of its values
to name the line of the file, as the build names a definition's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from generator.core.lined import LINE_BREAK, Lined, block_line, flow_breaks, flow_line, item_line, line_of
from generator.core.untrusted import BoundedLoader, load_yaml

__all__ = ["Lined", "PlainText", "block_line", "flow_line", "item_line", "line_of", "load_yaml_as_written", "typed"]


class PlainText(str):
    """A plain YAML scalar YAML 1.1 reads as a boolean, number or date, as written; `value` is what YAML 1.1 reads,
    for the few fields that are not strings (typed() gives it back)."""

    value: Any


def _as_written(loader: Any, node: ScalarNode) -> Any:
    value = BoundedLoader.yaml_constructors[node.tag](loader, node)
    if node.style:  # quoted or a block (an explicit tag converted it); plain is None, or '' from libyaml
        return value
    text = PlainText(node.value)
    text.value = value
    return text


class _AsWritten(BoundedLoader):
    """The bounded loader, keeping plain scalars' text and mappings' lines (of the YAML `text` it reads). One class,
    built once: the text is the instance's (yaml.load_all makes a loader of each text), not a class made per load."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
        self._starts: list[int] | None = None  # where each line of the text starts, once a scalar asks

    def _written(self, node: ScalarNode) -> str:
        """The text of a scalar as written, from its marks (libyaml's line and column count characters, a byte
        order mark at the start of the text not among them)."""
        if self._starts is None:
            self._starts = [int(self.text.startswith("\ufeff")),
                            *(found.end() for found in LINE_BREAK.finditer(self.text))]
        start, end = node.start_mark, node.end_mark
        return self.text[self._starts[start.line] + start.column:self._starts[end.line] + end.column]

    def construct_lined(self, node: MappingNode) -> Iterator[Lined]:
        data = Lined()
        data.line = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))
        data.lines, data.item_lines, data.blocks, data.flows = {}, {}, {}, {}  # merge keys are in by then
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            if isinstance(key, Hashable) and key not in data.lines:
                data.lines[key] = key_node.start_mark.line + 1
                if isinstance(value_node, SequenceNode):
                    data.item_lines[key] = [item.start_mark.line + 1 for item in value_node.value]
                elif isinstance(value_node, ScalarNode) and value_node.style == "|":
                    data.blocks[key] = value_node.start_mark.line + 1
                elif isinstance(value_node, ScalarNode) and value_node.style in ('"', "'"):
                    several = value_node.end_mark.line > value_node.start_mark.line
                    data.flows[key] = (value_node.start_mark.line + 1,
                                       flow_breaks(self._written(value_node)) if several else [])


for _tag in ("bool", "int", "float", "timestamp"):
    _AsWritten.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_written)
_AsWritten.add_constructor("tag:yaml.org,2002:map", _AsWritten.construct_lined)


def typed(value: Any) -> Any:
    """A value read by load_yaml_as_written with its plain scalars as YAML 1.1 reads them (a group's limit is a
    number, a boolean of a field obsgen keeps verbatim stays a boolean)."""
    if isinstance(value, PlainText):
        return value.value
    if isinstance(value, dict):
        return {typed(key): typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return value


def load_yaml_as_written(text: str) -> list[Any]:
    """The documents of a YAML text, within the bounds above (aliases within theirs), read as Go's yaml.v3 reads
    them into strings."""
    return load_yaml(text, _AsWritten, aliases=True)
