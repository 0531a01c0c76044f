"""`obsgen import` of a rule nested thousands of levels deep (brackets, a chain of operators, unary minus): the
parser (promql-parser, Rust) recursed once a level and overflowed its stack, killing the process with SIGSEGV and no
message (10,000 levels: exit 139); at 3,000 levels the parse passed and the facts' own walk raised RecursionError with
a traceback. Refused now before parsing, at the rule's line; what nests less than the bound still imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import DefinitionError
from generator.core.promql_depth import MAX_DEPTH, depth
from generator.importer.write import import_files

LEVELS = 10_000


def _rules(tmp_path: Path, expr: str) -> Path:
    source = tmp_path / "rules.yaml"
    source.write_text(f"groups:\n- name: g\n  rules:\n  - alert: Deep\n    expr: {expr}\n")
    return source


@pytest.mark.parametrize("expr", [
    "(" * LEVELS + "up" + ")" * LEVELS + " == 0",
    " + ".join(["up"] * LEVELS) + " == 0",
    "-" * LEVELS + "up == 0",
], ids=["brackets", "operators", "unary"])
def test_an_expression_nested_past_the_bound_is_refused_at_its_line(tmp_path: Path, definitions: Path,
                                                                    expr: str) -> None:
    with pytest.raises(DefinitionError, match=rf"rules\.yaml:5: cannot import: group g, rule 1: expr: invalid PromQL "
                                              rf".*: nests \d+ levels .*more than the {MAX_DEPTH} obsgen reads"):
        import_files([_rules(tmp_path, expr)], definitions)
    assert not (definitions / "rules.py").exists()


def test_a_long_chain_below_the_bound_imports(tmp_path: Path, definitions: Path) -> None:
    """An `or` over 400 jobs (JobMissing's shape) is long but nests 400 levels at most."""
    expr = " or ".join(f'absent(up{{job="job-{n}"}})' for n in range(400))
    assert depth(expr) < MAX_DEPTH
    import_files([_rules(tmp_path, f"'{expr}'")], definitions)
    assert "job-399" in (definitions / "rules.py").read_text()


def test_strings_and_label_matchers_do_not_count() -> None:
    assert depth('label_replace(up{job=~"(a|b)+-c"}, "x", "((((", "y", "-+*/")') == 1
    assert depth("sum(rate(x[5m])) / sum(rate(y[5m])) > 0.05") == 5
