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
         r"(?i)[^\W_]", r"(?i)[\Wb]", r"((a{500}){0}){3}", r"(a{500}|b{2}){2}", r"(?i)I", r"(?i)i", r"(?i)[h-j]",
         r"(?i)k", r"(?i)[^k]", r"(?i)\w", "(?i)\u017f", r"a(?i)*", r"a*(?i)*b", r"x(?U)+?", r"(?i)\Qi\E")
"""RE2 forms Python's re refused or reads otherwise, and some it reads alike."""
REFUSED = {r"(?=a)a": "invalid or unsupported Perl syntax: `(?=`", r"(a)\1": r"invalid escape sequence: `\1`",
           r"a*+": "invalid nested repetition operator: `*+`", r"a\Z": r"invalid escape sequence: `\Z`",
           r"(?x)a": "invalid or unsupported Perl syntax: `(?x`", r"a{1001}": "invalid repeat count: `{1001}`",
           r"\u00e9": r"invalid escape sequence: `\u`", r"(?i-)a": "invalid or unsupported Perl syntax: `(?i-)`",
           r"(?i=a)": "invalid or unsupported Perl syntax: `(?i=`",
           r"(?--i)": "invalid or unsupported Perl syntax: `(?--`",
           r"(?P<a-b>x)": "invalid named capture: `(?P<a-b>`", r"(?<n>a)": "invalid or unsupported Perl syntax: `(?<`",
           r"(a{500}){3}": "invalid repeat count: `{3}`", r"((a{10})*b){101}": "invalid repeat count: `{101}`",
           r"((a{500}){0,}){3}": "invalid repeat count: `{3}`", r"\C": r"invalid escape sequence: `\C`",
           r"(?P<é>a)": "invalid named capture: `(?P<é>`"}
"""Forms Alertmanager refuses that Python's re or C++ RE2 takes, with the words amtool says them in."""
VALUES = ("", "a", "aa", "ab", "AB", "b", "x", "xx", "x{,3}", "a.b", "azb", "a\nb", "a\n", "é", "É", "Ω", "1",
          "12", "\n", " ", "\v", "\x0c", "\u2003", "x y", "٣", "A", "_", "a{01}", "a{1,02}", "k", "I", "i", "\u0131",
          "\u0130", "K", "\u212a", "s", "\u017f", "aab", "\u0131\u0130")


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
        label_matcher("v", "=~", pattern, "0.25.0")


def test_a_value_ending_in_a_line_feed_does_not_match_before_it() -> None:
    """Go's $ (outside (?m)) is the end of the text; Python's also matches before a final line feed."""
    assert not label_matcher("v", "=~", "a$", "0.25.0").holds({"v": "a\n"})
    assert not label_matcher("v", "=~", "a$\n", "0.25.0").holds({"v": "a\n"})  # Python's re: a$\n matches a\n


GO_ORBITS = ((0x4B, 0x6B, 0x212A), (0x53, 0x73, 0x17F), (0xB5, 0x39C, 0x3BC), (0xC5, 0xE5, 0x212B),
             (0x1C4, 0x1C5, 0x1C6), (0x1C7, 0x1C8, 0x1C9), (0x1CA, 0x1CB, 0x1CC), (0x1F1, 0x1F2, 0x1F3),
             (0x345, 0x399, 0x3B9, 0x1FBE), (0x392, 0x3B2, 0x3D0), (0x395, 0x3B5, 0x3F5), (0x398, 0x3B8, 0x3D1, 0x3F4),
             (0x39A, 0x3BA, 0x3F0), (0x3A0, 0x3C0, 0x3D6), (0x3A1, 0x3C1, 0x3F1), (0x3A3, 0x3C2, 0x3C3),
             (0x3A6, 0x3C6, 0x3D5), (0x3A9, 0x3C9, 0x2126), (0x412, 0x432, 0x1C80), (0x414, 0x434, 0x1C81),
             (0x41E, 0x43E, 0x1C82), (0x421, 0x441, 0x1C83), (0x422, 0x442, 0x1C84, 0x1C85), (0x42A, 0x44A, 0x1C86),
             (0x462, 0x463, 0x1C87), (0x1C88, 0xA64A, 0xA64B), (0x1E60, 0x1E61, 0x1E9B))
"""The case orbits of more than two letters in Go's unicode/tables.go (caseOrbit, Go 1.21's Unicode 15), each
sorted; its other entries fold ß with ẞ, and the dotted and dotless i (U+0130, U+0131) each to itself."""


def test_case_orbits_are_gos() -> None:
    """(?i) folds as Go's unicode.SimpleFold (RE2's tables, not Python's re): its orbits of three or four letters, ß
    with ẞ, and not the Turkish i's (Python's re folds U+0131 with i and I, U+0130 with i)."""
    for orbit in GO_ORBITS:
        for letter in orbit:
            folding = label_matcher("v", "=~", f"(?i){chr(letter)}", "0.25.0")
            assert [folding.holds({"v": chr(other)}) for other in orbit] == [True] * len(orbit), orbit
    assert label_matcher("v", "=~", "(?i)\u00df", "0.25.0").holds({"v": "\u1e9e"})
    assert not any(label_matcher("v", "=~", f"(?i){first}", "0.25.0").holds({"v": second})
                   for first, second in (("i", "\u0130"), ("i", "\u0131"), ("I", "\u0131"), ("\u0130", "i")))


def test_a_named_group_in_angle_brackets_is_read_as_the_release_reads_it() -> None:
    """Go 1.22 takes `(?<name>re)`: Alertmanager 0.28 on (built with it) reads it, 0.25 (Go 1.19, amtool here) refuses
    it; a repeat after a flag group repeats the atom before it, a repeated one again (Go's a*(?i)* is (a*)*)."""
    assert label_matcher("v", "=~", "(?<n>a)b", "0.28.0").holds({"v": "ab"})
    with pytest.raises(ValueError, match=re.escape("invalid or unsupported Perl syntax: `(?<`")):
        label_matcher("v", "=~", "(?<n>a)b", "0.27.0")
    with pytest.raises(ValueError, match=re.escape("invalid named capture: `(?<a-b>`")):
        label_matcher("v", "=~", "(?<a-b>x)", "0.28.0")
    assert label_matcher("v", "=~", "a*(?i)*b", "0.25.0").holds({"v": "aaB"})


def test_a_lone_surrogate_is_read_as_go_decodes_it() -> None:
    """Python's json and yaml keep a lone surrogate (\\ud800), which has no UTF-8 for RE2: in a value it is U+FFFD, as
    Go's encoding/json decodes it; in a pattern Go's parser says invalid UTF-8."""
    assert label_matcher("v", "=~", "a.b", "0.25.0").holds({"v": "a\ud800b"})
    assert label_matcher("v", "=~", "a\ufffdb", "0.25.0").holds({"v": "a\ud800b"})
    with pytest.raises(ValueError, match="invalid UTF-8"):
        label_matcher("v", "=~", "a\ud800", "0.25.0")
