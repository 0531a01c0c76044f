"""Messages count through one helper (core.wording.counted): "1 alert", "2 alerts", never "1 alerts" or "alert(s)";
and one name is one job: `said` escapes command output (core.terminal), nothing else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from generator.core.wording import counted, plural_of

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "generator").rglob("*.py"))


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "alert") for n in (0, 1, 2)] == ["0 alerts", "1 alert", "2 alerts"]
    assert counted(1, "escalation copy", "escalation copies") == "1 escalation copy"
    assert counted(3, "entry", "entries") == "3 entries"
    assert counted(1.0, "day") == "1 day" and counted(1.5, "day") == "1.5 days"
    assert counted(1234567, "byte") == "1234567 bytes"
    assert plural_of(1, "rule") == "rule" and plural_of(7, "rule") == "rules"


HAND_MADE = re.compile(r"""\w\(s\)|'s' \* \(|"s" \* \(""")
"""A plural made by hand in a message: "file(s)", f"alert{'s' * (n != 1)}"."""


def test_no_message_makes_its_plural_by_hand() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in SOURCES
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if HAND_MADE.search(line) and "http(s)" not in line]
    assert found == []


def test_said_is_one_function() -> None:
    """core.terminal.said escapes what a command prints; apply's error-to-line function is error_line."""
    defined = [str(path.relative_to(ROOT)) for path in SOURCES
               for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.FunctionDef) and node.name == "said"
               and not any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)]
    assert defined == ["generator/core/terminal.py"]
