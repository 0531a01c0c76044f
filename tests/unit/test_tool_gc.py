"""obsgen check runs promtool with a roomier Go heap: fewer collections for the same rule test, unless the user
sets GOGC."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks.tools import run_all

OUT = Path(__file__).resolve().parents[2] / "out"
TEST = "promtool test rules alerts.yml"


def _collections(monkeypatch: pytest.MonkeyPatch) -> int:
    """Go's garbage collections during `obsgen check`'s run of one shipped rule test (GODEBUG=gctrace=1 prints a
    line per collection)."""
    monkeypatch.setenv("GODEBUG", "gctrace=1")
    result, = run_all(OUT, select=lambda command: command.name == TEST)
    assert result.ok, result.output
    return sum(line.startswith("gc ") for line in result.output.splitlines())


def test_promtool_collects_its_heap_far_less_often_unless_gogc_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    roomy = _collections(monkeypatch)
    monkeypatch.setenv("GOGC", "100")  # Go's default, when the user asks for it
    default = _collections(monkeypatch)
    assert roomy >= 1 and default >= 3 * roomy, (roomy, default)

