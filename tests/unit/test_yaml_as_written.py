"""core.yaml_as_written: one loader class for every text (the text is the loader's, not a class made per load),
each text's lines and quoted scalars read from that text."""

from __future__ import annotations

from typing import Any

import pytest

from generator.core import untrusted, yaml_as_written
from generator.core.yaml_as_written import PlainText, flow_line, line_of, load_yaml_as_written


def test_every_text_is_read_by_the_one_loader_class(monkeypatch: pytest.MonkeyPatch) -> None:
    loaders: list[Any] = []
    load = untrusted.load_yaml  # what yaml_as_written calls

    def recorded(text: str, loader: Any, aliases: bool = False) -> list[Any]:
        loaders.append(loader)
        return load(text, loader, aliases)

    monkeypatch.setattr(yaml_as_written, "load_yaml", recorded)
    load_yaml_as_written("a: 1\n")
    load_yaml_as_written("b: 2\n")
    assert loaders == [yaml_as_written._AsWritten] * 2


def test_each_text_is_read_from_itself() -> None:
    first = load_yaml_as_written('x: 1\nq: "one\n  two"\n')[0]
    second = load_yaml_as_written('\n\nq: "three\n\n  four"\ncode: 010\n')[0]
    assert (line_of(first, "q"), flow_line(first, "q")) == (2, (2, [4]))  # "two" starts at offset 4 of "one two"
    assert (line_of(second, "q"), flow_line(second, "q")) == (3, (3, [6, 6]))  # a blank line, then "four" at 6
    assert first["q"] == "one two" and second["q"] == "three\nfour"
    assert isinstance(second["code"], PlainText) and second["code"] == "010" and second["code"].value == 8
