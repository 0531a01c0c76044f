"""`obsgen import` of a rule whose selector holds a regex Go takes but C++ RE2 compiles for long, uninterruptibly:
`(a{2,1000})` * 100 (RE2 joins the copies into a{200,100000}, 99,800 optional ones, and compiles them in time
quadratic in them). It is refused in obsgen's words, naming the rule, in a fraction of a second; before, the import
took 20 s (once killed at 25 s) and wrote the rule, which every build compiled again. promql-parser (Rust's regex)
refuses more than some 150 copies itself; * 1676, which Go takes, never ends in RE2 (an Alertmanager matcher's or a
LogQL regex, which nothing checks before go_regex)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.core.errors import DefinitionError
from generator.importer.write import import_files


@pytest.mark.parametrize(("copies", "said"), [
    (100, r"rules\.yaml:5: rule set rules, group g, rule Hostile: Prometheus refuses the selector .*obsgen cannot read "
          r"it: it holds 99,800 optional repeats.* \(imported, it would be .*rules\.py:\d+; nothing imported"),
    (1676, r"rules\.yaml:5: cannot import: group g, rule 1: expr: invalid PromQL .*illegal regex"),  # promql-parser's
])
def test_a_selector_regex_re2_would_compile_for_hours_is_refused(tmp_path: Path, definitions: Path, copies: int,
                                                                  said: str) -> None:
    source = tmp_path / "rules.yaml"
    source.write_text('groups:\n- name: g\n  rules:\n  - alert: Hostile\n    expr: up{job=~"%s"} == 0\n'
                      % ("(a{2,1000})" * copies))
    start = time.process_time()
    with pytest.raises(DefinitionError, match=said):
        import_files([source], definitions)
    assert time.process_time() - start < 10  # CPU, not wall: before, RE2 never returned
    assert not (definitions / "rules.py").exists()
