"""`obsgen import` of a rule file whose rule definitions/ would refuse, or whose expression does not parse: named at
its expression's line in the file imported (the user fixes that file, not the module the import would write),
whatever style the expression is written in (one line, literal or folded block, plain or quoted over lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import DefinitionError
from generator.importer.write import import_files
from generator.scaffold import create

BAD = 'sum(rate(http_requests_total{path=~"a{1001}"}[5m]))'  # Go's regexp refuses it; promql-parser takes it
STYLES = {  # how the expression is written after `expr:`, the rule's line 2
    "one line": f"{BAD} > 0",
    "literal": f"|\n      {BAD}\n        > 0",
    "folded": f">-\n      {BAD}\n        > 0",
    "plain over lines": f"{BAD}\n      > 0",
    "double-quoted over lines": f'"{BAD.replace(chr(34), chr(92) + chr(34))}\n      > 0"',
}


def _rules(tmp_path: Path, expr: str) -> Path:
    """alerts.yaml: rule Fine, then rule Bad whose `expr:` (line 7) is written so."""
    source = tmp_path / "alerts.yaml"
    source.write_text("groups:\n- name: g\n  rules:\n  - alert: Fine\n    expr: up == 0\n  - alert: Bad\n"
                      f"    expr: {expr}\n    for: 5m\n")
    return source


@pytest.mark.parametrize("style", STYLES)
def test_an_imported_rule_definitions_would_refuse_is_named_at_its_expression_in_the_file(
        tmp_path: Path, style: str) -> None:
    # before: `.../definitions/alerts.py:22: rule set alerts, group g, rule Bad: Prometheus refuses the selector ...`,
    # a line of a module the failed import never wrote; the user fixes the rule file
    source = _rules(tmp_path, STYLES[style])
    create(tmp_path / "project", "lines")
    definitions = tmp_path / "project/definitions"
    with pytest.raises(DefinitionError) as raised:
        import_files([source], definitions)
    said = str(raised.value)
    assert said.startswith(f"{source}:7: rule set alerts, group g, rule Bad: Prometheus refuses the selector "
                           'http_requests_total{path=~"a{1001}"}: error parsing regexp: invalid repeat count'), said
    assert f"(imported, it would be {definitions}/alerts.py:" in said and not (definitions / "alerts.py").exists()


def test_a_rule_refused_in_the_second_prometheus_rule_of_a_manifest_is_named_at_its_line(tmp_path: Path) -> None:
    def manifest(name: str, expr: str) -> str:
        return (f"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {name}\nspec:\n"
                f"  groups:\n  - name: {name}\n    rules:\n    - alert: {name.title()}\n      expr: {expr}\n")

    source = tmp_path / "rules.yaml"
    source.write_text(manifest("first", "up == 0") + "---\n" + manifest("second", f">\n        {BAD}\n        > 0"))
    create(tmp_path / "project", "lines")
    with pytest.raises(DefinitionError, match=rf"^{source}:21: rule set second, group second, rule Second: "):
        import_files([source], tmp_path / "project/definitions")


@pytest.mark.parametrize("style", STYLES)
def test_an_expression_that_does_not_parse_is_named_at_its_line_whatever_its_style(tmp_path: Path,
                                                                                   style: str) -> None:
    # refused as the file is read, before any module is written (import55 placed quoted JSON by its lines; a rule's
    # expression is one value: its `expr:` line, for every style)
    source = _rules(tmp_path, STYLES[style].replace("> 0", "> ("))
    with pytest.raises(DefinitionError, match=rf"^{source}:7: cannot import: group g, rule 2: expr: invalid PromQL "
                                              r".*unclosed left parenthesis"):
        import_files([source], tmp_path / "definitions")
