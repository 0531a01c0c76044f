"""Matcher regexes are read as Alertmanager (Go's regexp, RE2 syntax) reads them, not as Python's re does: each form
below is held to amtool's verdict (Alertmanager 0.25's own config parser and router), both on whether the regex is
taken and on which label values it matches."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.core.alert_routing import RouteTree, routes_taking
from generator.core.label_matchers import label_matcher
from generator.core.matcher_text import filtered
from tests.unit.test_alert_routing import needs_amtool

TAKEN = (r"\pL+", r"\PL", r"\p{Lu}x", r"\p{^L}", r"a\z", r"\Qa.b\E", r"(?U)(a+)(a*)", r"a(?i)b|c", r"x{,3}",
         r"[[:alpha:]]+", r"[[:^digit:]]", r"\x{e9}", r"\12", r"\d+", r"\w+", r"\s", r"[\s]", r"\bx\b",
         r".*$", r"(?m)a$", r"(?s)a.b", r"a.b", r"(?i)É", r"[^a]", r"(?:)", r"a{2}?", "^*a", r"a)|(b",
         r"a{01}", r"a{1,02}", r"(?P<1>a)", r"(?P<n>a)(?P<n>b)", r"(?i)\W", r"(?i)\P{Lu}", r"(?i)[[:^lower:]]",
         r"(?i)[^\W_]", r"(?i)[\Wb]", r"((a{500}){0}){3}", r"(a{500}|b{2}){2}")
"""RE2 forms Python's re refused or reads otherwise, and some it reads alike."""
REFUSED = {r"(?=a)a": "invalid or unsupported Perl syntax: `(?=`", r"(a)\1": r"invalid escape sequence: `\1`",
           r"a*+": "invalid nested repetition operator: `*+`", r"a\Z": r"invalid escape sequence: `\Z`",
           r"(?x)a": "invalid or unsupported Perl syntax: `(?x`", r"a{1001}": "invalid repeat count: `{1001}`",
           r"\u00e9": r"invalid escape sequence: `\u`", r"(?i-)a": "invalid or unsupported Perl syntax: `(?i",
           r"(a{500}){3}": "invalid repeat count: `{3}`", r"((a{10})*b){101}": "invalid repeat count: `{101}`"}
"""Python-only forms Alertmanager refuses, with the words amtool says them in."""
VALUES = ("", "a", "aa", "ab", "AB", "b", "x", "xx", "x{,3}", "a.b", "azb", "a\nb", "a\n", "é", "É", "Ω", "1",
          "12", "\n", " ", "\v", "\x0c", "\u2003", "x y", "٣", "A", "_", "a{01}", "a{1,02}", "k")


def _config(patterns: tuple[str, ...]) -> dict[str, object]:
    return {"route": {"receiver": "none", "routes": [
        {"receiver": f"r{at}", "continue": True, "matchers": [f"v=~{json.dumps(pattern, ensure_ascii=False)}"]}
        for at, pattern in enumerate(patterns)]},
        "receivers": [{"name": "none"}, *({"name": f"r{at}"} for at in range(len(patterns)))]}


def _amtool(config: Path, value: str) -> set[str]:
    shown = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={config}",
                            f'v="{filtered(value)}"'],  # as amtool's classic parser reads it back
                           capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    return set(shown.split(",")) - {"none"}


@needs_amtool
def test_regexes_match_the_values_amtool_routes(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(_config(TAKEN)))
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tree = RouteTree.read(_config(TAKEN)["route"], "0.25.0")  # type: ignore[arg-type]
    differing = {}
    for value in VALUES:
        ours = {str(route["receiver"]) for route in routes_taking(tree, {"v": value})} - {"none"}
        theirs = _amtool(config, value)
        if ours != theirs:
            differing[value] = sorted(TAKEN[int(r[1:])] for r in ours ^ theirs)
    assert differing == {}


@needs_amtool
@pytest.mark.parametrize(("pattern", "said"), REFUSED.items(), ids=list(REFUSED))
def test_regexes_alertmanager_refuses_are_refused_with_its_words(tmp_path: Path, pattern: str, said: str) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(_config((pattern,))))
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode != 0 and said in checked.stdout + checked.stderr, checked.stdout + checked.stderr
    with pytest.raises(ValueError, match=re.escape(f"error parsing regexp: {said}")):
        label_matcher("v", "=~", pattern)


def test_a_value_ending_in_a_line_feed_does_not_match_before_it() -> None:
    """Go's $ (outside (?m)) is the end of the text; Python's also matches before a final line feed."""
    from generator.core.go_regex import python_pattern

    assert python_pattern("a$") == r"a(?:\Z)"
    assert not label_matcher("v", "=~", "a$").holds({"v": "a\n"})
    assert not label_matcher("v", "=~", "a$\n").holds({"v": "a\n"})  # Python's re: a$\n matches a\n
