"""A replayed build prints without typer: its lines come out as typer.echo (click) writes them."""

from __future__ import annotations

import io
import sys

import pytest
import typer

from generator.cli.problems import echo


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
@pytest.mark.parametrize("text", ["warning: definitions/a.py:3: plain", "note: \x1b[1mstyled\x1b[0m ünïcode"])
def test_a_line_is_written_as_click_writes_it(monkeypatch: pytest.MonkeyPatch, encoding: str, text: str) -> None:
    written = []
    for write in (echo, typer.echo):
        stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding)  # not a terminal: styles are stripped
        monkeypatch.setattr(sys, "stdout", stream)
        write(text)
        stream.flush()
        written.append(stream.buffer.getvalue())
    assert written[0] == written[1]
