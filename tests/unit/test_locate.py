"""A call found from the bytecode that ran it: its own source parsed alone, with the file's lines."""

from __future__ import annotations

import ast
import dis
from pathlib import Path

from generator.load.locate import call_at, field_line

SOURCE = 'title = "café"; alert = dict(name="a",\n    levels=[f(2),\n        g(for_="5m")])\n'
"""A non-ASCII text before the call on its line (code positions count bytes), nested calls over three lines."""


def _calls(path: Path) -> dict[str, ast.Call]:
    code = compile(SOURCE, str(path), "exec")
    found = {}
    for instruction in dis.get_instructions(code):
        if instruction.opname == "CALL":
            call = call_at(code, instruction.offset)
            assert call is not None, instruction
            assert isinstance(call.func, ast.Name)
            found[call.func.id] = call
    return found


def test_each_call_is_found_at_its_lines_and_leads_to_its_fields(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text(SOURCE, encoding="utf-8")
    calls = _calls(path)
    assert sorted(calls) == ["dict", "f", "g"]
    assert (calls["dict"].lineno, calls["f"].lineno, calls["g"].lineno) == (1, 2, 3)
    assert field_line(calls["dict"], ("levels", 1, "for_")) == 3
    assert field_line(calls["dict"], ("levels", 0)) == 2


def test_a_file_changed_since_it_ran_finds_no_call_rather_than_a_wrong_one(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text(SOURCE, encoding="utf-8")
    code = compile(SOURCE, str(path), "exec")
    path.write_text("x = 1\n", encoding="utf-8")
    assert all(call_at(code, i.offset) is None for i in dis.get_instructions(code) if i.opname == "CALL")


def test_an_entry_of_a_dict_field_is_found_at_its_key_s_line() -> None:
    call = ast.parse('k(services={"a": 1},\n  ports={\n    "loki": 3100,\n    "tempo": 3200})').body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert field_line(call.value, ("ports", "tempo")) == 4
    assert field_line(call.value, ("ports", "mimir")) == 2  # no such entry: the field's line


def test_a_keyword_merged_into_the_unpacked_arguments_is_found_at_its_line() -> None:
    """`Alert(**VALID | {...})`: a dict merge's right side wins, so a key written there is the one passed; a key only
    the left side spells out is not claimed while a name on the right may give it too."""
    source = ('Alert(**VALID | {"name": "a",\n'
              '                 "group": "Bad Group"},\n'
              '      other=1)\n'
              'Alert(**{\n'
              '    "group": "a"} | EXTRA)\n'
              'Alert(**{"severity": "x"} | {\n'
              '    "group": "b"})\n'
              'Alert(**{**VALID,\n'
              '         "group": "c"})\n')
    calls = [node.value for node in ast.parse(source).body if isinstance(node, ast.Expr)]
    assert all(isinstance(call, ast.Call) for call in calls)
    merged, unknown, literals, spread = (call for call in calls if isinstance(call, ast.Call))
    assert field_line(merged, ("group",)) == 2
    assert field_line(merged, ("severity",)) == 1  # VALID's: not written here, the call's line
    assert field_line(unknown, ("group",)) == 4  # EXTRA may hold a group: the call's line
    assert field_line(literals, ("severity",)) == 6 and field_line(literals, ("group",)) == 7
    assert field_line(spread, ("group",)) == 9
