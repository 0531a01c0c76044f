"""obsgen's own bounds on what C++ RE2 is given (go_regex_limits): a pattern Go takes but RE2 would compile for
seconds or hours, uninterruptibly, or build in hundreds of MiB, is refused in obsgen's words before RE2 sees it:
RE2 joins adjacent repeats of one atom and compiles x{n,m}'s optional copies in time quadratic in them
(`(a{2,1000})` * 1676, which Go takes, never ended; `a?` * 40,000 took 2.7 s), and `\\pL` * 30,000 took 700 MiB.
No case here gives RE2 a slow pattern: the refusals come before it, the patterns taken are small."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.core.go_regex import compile_go, re2_pattern
from generator.core.go_regex_limits import MAX_OPTIONAL, MAX_PROGRAM, class_weight, re2_options
from generator.core.logql import parse
from tests.linear_time import LINEAR, growth
from tests.unit.test_go_regex_limits import ENTRIES as GO_ENTRIES

OBSGEN = "error parsing regexp: obsgen cannot read it: "
ENTRIES: dict[str, Callable[[str], object]] = {
    **GO_ENTRIES,  # LogQL's in raw strings (backquoted), where a backslash is itself
    "logql selector": lambda pattern: parse(f'{{job="a", v=~`{pattern}`}}'),
    "logql line filter": lambda pattern: parse(f'{{job="a"}} |~ `{pattern}`'),
}
KUBE_PROMETHEUS = Path(__file__).parents[1] / "gitops" / "fixtures" / "kube-prometheus"

SLOW = {
    "1676 counted ranges": "(a{2,1000})" * 1676,  # Go takes it; RE2 never ended
    "21 counted ranges": "(a{2,1000})" * 21,  # 20,958 optional copies: * 40 took 2.5 s
    "optional atoms": "a?" * (MAX_OPTIONAL + 1),  # RE2 makes them one a{0,20001}: * 40,000 took 2.7 s
    "optional groups": "(?:a|b)?" * (MAX_OPTIONAL + 1),  # * 40,000: 3.2 s
    "counted ranges repeated": "(?:a{0,1000}b)" * 21,  # 21,000 optional copies; * 1000: 2.3 s, 207 MiB
    "unicode classes": "\\pL" * 30000,  # 36,000,000 instructions: 700 MiB before RE2's budget refused them
    "unicode class repeated": "(?:\\pL{1000})" * 2,  # 2,400,000 instructions
    "large program": "a{1000}" * (MAX_PROGRAM // 1000 + 1),  # Go takes up to 3355 of them (0.7 s, 230 MiB)
}


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=list(ENTRIES))
@pytest.mark.parametrize("pattern", SLOW.values(), ids=list(SLOW))
def test_what_re2_would_compile_slowly_is_refused_in_obsgens_words(entry: Callable[[str], object],
                                                                   pattern: str) -> None:
    with pytest.raises(ValueError, match=re.escape(OBSGEN)):
        entry(pattern)


@pytest.mark.parametrize("pattern", [
    "a?" * MAX_OPTIONAL, "(a{2,1000})" * 20, "\\pL{1000}", "a{1000}" * (MAX_PROGRAM // 1000),
    "((a{2,30}){2,30})" * 23,  # 868 optional copies each, counted as if RE2 copied the inner ones (it shares them)
], ids=["optional atoms", "counted ranges", "unicode class", "large program", "nested ranges"])
def test_what_is_just_within_the_bounds_is_read(pattern: str) -> None:
    re2_pattern(pattern)  # not compiled: RE2 takes some 0.5 s on each


@pytest.mark.parametrize(("pattern", "text"), [
    ("^" + "a?" * 2000 + "b$", "ab"), ("(a{2,100})" * 5, "a" * 10), ("^(?:\\pL|\\p{Greek}|[\\pN_])+$", "λx_1"),
    ("\\pL{100}", "é" * 100),
    ("^(?:" + "|".join(f"word{n}" for n in range(10000)) + ")$", "word9999"),  # literals: taken (0.15 s)
], ids=["optional atoms", "counted ranges", "unicode classes", "unicode class repeated", "10000 words"])
def test_small_patterns_are_compiled(pattern: str, text: str) -> None:
    assert compile_go(pattern).matches(text)
    assert not compile_go(pattern).matches("-")


def test_a_class_is_weighed_with_the_options_patterns_are_compiled_with() -> None:
    """One set of RE2 options (go_regex_limits.re2_options): the weight of a class escape is its program as the
    pattern holding it is compiled, and a script RE2 does not know weighs nothing (RE2's error raised, not logged)."""
    re2, options = re2_options()
    assert not options.log_errors and options.never_capture
    assert class_weight("\\pL") == re2.compile("\\pL", options).programsize == 1200
    assert class_weight("\\p{Greek}") == re2.compile("\\p{Greek}", options).programsize
    assert class_weight("\\p{NoSuchScript}") is None


def _selector_regexes(text: str) -> list[str]:
    """The values of the =~ and !~ matchers in PromQL text, Go's string escapes read (those JSON shares)."""
    return [json.loads(f'"{value}"') for value in re.findall(r'[=!]~\s*"((?:[^"\\]|\\.)*)"', text)]


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_every_regex_of_kube_prometheus_is_compiled() -> None:
    regexes = [regex for source in sorted(KUBE_PROMETHEUS.glob("*.yaml"))
               for document in yaml.safe_load_all(source.read_text())
               for text in _strings(document) for regex in _selector_regexes(text)]
    assert len(regexes) > 200
    for regex in regexes:
        compile_go(f"^(?s:{regex})$")


def _refused(pattern: str) -> None:
    with pytest.raises(ValueError, match=re.escape(OBSGEN)):
        re2_pattern(pattern)


@pytest.mark.parametrize("make", [
    lambda n: "a?" * (MAX_OPTIONAL + 1 + n), lambda n: "\\pL" * (MAX_PROGRAM // 1200 + 1 + n),
], ids=["optional", "program"])
def test_the_refusal_is_linear_in_the_pattern(make: Callable[[int], str]) -> None:
    assert growth(_refused, make, 2000) < LINEAR
