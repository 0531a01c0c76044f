"""PromQL selector regexes read as the Prometheus release that runs them: Go's regexp (RE2 syntax), anchored as
model/labels NewFastRegexMatcher anchors it, `.` taking a line feed from 3.0.0 (`^(?s:re)$`, 2.x `^(?:re)$`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.core.promql import MATCHER, check_syntax, selectors
from generator.core.promql_text import release_refusal, rescaled_text
from generator.core.selector_regex import label_matches, selector_regex
from tests.servers import promtool_test

DEBIAN = "2.42.0"
"""The release of the Debian prometheus and promtool the tests run."""
VALUES = ("3", "\u0663", "a", "aa", "a{,2}", "h\u00e9llo", "a\nb", "\u00e9")
"""Label values: a digit of another script (Go's \\d is ASCII), text with braces (Go reads `{,2}` as text),
letters past ASCII (Go reads \\pL, Python's re refuses it), a line feed (`.` takes it from 3.0.0 only)."""
FORMS = (r"\d", r"a{,2}", r"\pL+", r"a.b", r"\w", r"[[:alpha:]]+", r"\x{e9}")


def _series(value: str) -> str:
    return f"x{{v={json.dumps(value, ensure_ascii=False)}}}"


def test_selector_regexes_select_what_promtool_selects(tmp_path: Path) -> None:
    """Each form selects, among the values, those the Debian Prometheus selects with it (promtool test rules)."""
    (tmp_path / "rules.yml").write_text("groups: []\n")
    tests = [{"expr": f"x{{v=~`{form}`}}", "eval_time": "0m",
              "exp_samples": [{"labels": _series(value), "value": 1} for value in VALUES
                              if label_matches("=~", form, value, DEBIAN)]} for form in FORMS]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": [{"series": _series(value), "values": "1"}
                                                              for value in VALUES],
                           "promql_expr_test": tests}]}
    result = promtool_test(document, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


CORPUS = ("", "a|", "|a", "(|a)b", "(?:)", "^$", "a$", "^a", r"\Aa\z", r"(?m)^a$", r"(?s)a.b", ".", r"(?i)k",
          r"(?i)\x{212a}", r"(?i)s", "(?i)\u00df", "(?i)\u03c3", r"(?i)[a-z]+", r"(?i)\W", r"(?i)a(?-i:a)", r"(?U)a+",
          r"\p{Greek}+", r"\P{Greek}", r"\p{Han}+", r"\pN+", r"\p{Lu}", r"[\p{Lu}\d]+", r"[^\x00-\x7f]+", r"\bx\b",
          r"x\B.*", "a+?", "a{2,}", "a{0}", "((a{500}){0}){3}", r"\Qa.b\E+", r"\141", "[[:upper:]]", "[[:^alpha:]]+",
          r"\x{1F600}", r".*\x{1F600}.*", "(?i)stra\u00dfe", r"[\d\s]+", r"\v", "a(?i)*", "a*(?i)*b", r"x{,2}")
"""Patterns whose reading differs between engines or dialects: empty alternatives, anchors, flags and their scopes,
Go's (?i) case orbits (the Kelvin sign, long s, sharp s, final sigma), Unicode categories and scripts, ASCII \\b \\d
\\s, lazy and {0} repeats, \\Q...\\E, octal, POSIX classes, runes past the first plane."""
CORPUS_VALUES = ("", "a", "aa", "aaa", "aab", "b", "ab", "A", "aA", "k", "K", "\u212a", "s", "S", "\u017f", "\u00df",
                 "\u1e9e", "\u03c3", "\u03a3", "\u03c2", "x", "x y", "xy", "a\n", "a\nb", "\u03b1\u03b2\u03b3",
                 "\u03a9", "\u6f22\u5b57", "\u0663", "12", "\u00e9", "\U0001f600", "a\U0001f600b", "a.b", "a.ba.b",
                 "stra\u00dfe", "STRASSE", "\v", " \t1", "x{,2}", "xx")


def test_tricky_regexes_select_what_promtool_selects(tmp_path: Path) -> None:
    """A fixed corpus, in one promtool run: obsgen's reading (RE2 behind Go's parser) selects, among the values, the
    series the Debian Prometheus (Go's regexp) selects."""
    (tmp_path / "rules.yml").write_text("groups: []\n")
    tests = [{"expr": f"x{{v=~{json.dumps(form, ensure_ascii=False)}}}", "eval_time": "0m",
              "exp_samples": [{"labels": _series(value) if value else "x", "value": 1} for value in CORPUS_VALUES
                              if label_matches("=~", form, value, DEBIAN)]} for form in CORPUS]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": [{"series": _series(value) if value else "x",
                                                               "values": "1"} for value in CORPUS_VALUES],
                           "promql_expr_test": tests}]}
    result = promtool_test(document, tmp_path / "test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("release", "taken"), [("2.42.0", False), ("2.55.1", False), ("3.0.0", True),
                                                ("3.15.0", True)])
def test_dot_takes_a_line_feed_from_prometheus_3(release: str, taken: bool) -> None:
    """Prometheus 3.0.0 compiles a selector's regex with (?s) (its migration guide: `.` matches all characters
    including newlines); 2.x does not."""
    assert label_matches("=~", "a.b", "a\nb", release) is taken
    assert label_matches("!~", "a.*", "a\n", release) is not taken


def test_a_regex_prometheus_refuses_is_refused_with_gos_words() -> None:
    """Python's re takes a look-behind; Go's regexp, so Prometheus, refuses it."""
    with pytest.raises(ValueError, match="invalid or unsupported Perl syntax"):
        label_matches("=~", "(?<=a)b", "ab", DEBIAN)


PROMTOOL_SAYS = {"holt_winters(x[5m], 0.5, 0.5)": "", "x{v=~`\\pL+\\.b`}": "",
                 "double_exponential_smoothing(x[5m], 0.5, 0.5)":
                     'unknown function with name "double_exponential_smoothing"',
                 'x{v=~"(?<n>a)"}': "error parsing regexp: invalid or unsupported Perl syntax: `(?<`",
                 "# don't\nholt_winters(x[5m], 0.5, 0.5) # it's": "",
                 "# don't\nx{v=~`\\pL+\\.b`} # it's": ""}
"""Expressions and what promtool 2.42 says of them ('' when it takes them): a backtick string is raw text, and the
Prometheus 2 name of double_exponential_smoothing is holt_winters; its Go (1.19) refuses `(?<name>`; a comment runs
from # to the line's end, an apostrophe in it opening no string."""


def _obsgen_says(expr: str, release: str) -> str:
    """What obsgen's reading of an expression says of it on that release ('' when taken)."""
    check_syntax(expr)
    refused = release_refusal(expr, release)
    for selector in selectors(expr):
        for matcher in selector.matchers:
            found = MATCHER.fullmatch(matcher)
            if found is not None and "~" in found[2] and not refused:
                try:
                    selector_regex(found[3], release)
                except ValueError as error:
                    refused = str(error)
    return refused


@pytest.mark.parametrize(("expr", "said"), PROMTOOL_SAYS.items(), ids=list(PROMTOOL_SAYS))
def test_expressions_are_read_as_promtool_reads_them(tmp_path: Path, expr: str, said: str) -> None:
    (tmp_path / "rules.yml").write_text(json.dumps({"groups": [{"name": "g", "rules": [{"record": "x:y",
                                                                                        "expr": expr}]}]}))
    checked = subprocess.run(["promtool", "check", "rules", str(tmp_path / "rules.yml")], capture_output=True,
                             text=True, timeout=30)
    assert (checked.returncode == 0) == (said == "") and said in checked.stdout + checked.stderr, checked.stderr
    assert _obsgen_says(expr, DEBIAN) == said
    if said == "" and "holt_winters" in expr:
        assert release_refusal(expr, "3.0.0") == 'unknown function with name "holt_winters"'
    if "double_exponential" in expr or "(?<" in expr:
        assert _obsgen_says(expr, "3.15.0") == ""  # 3.x names it so and is built with Go 1.22 on


def test_an_experimental_function_is_taken_where_the_stacks_enable_the_feature(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """XR010 reads the feature flags the shipped stacks run Prometheus with from targets.prometheus.FEATURES."""
    from generator.build import compile_definitions
    from generator.targets import prometheus
    from tests.checks.test_cases import project_with

    case = {"case.py": 'from generator.model import RecordingRule\n'
                       'R = RecordingRule(name="job:load:limit2", expr="limitk(2, node_load1)")\n'}
    found = [p.message for p in compile_definitions(project_with(tmp_path / "off", case)).report.problems
             if p.code == "XR010"]
    assert len(found) == 1 and "limitk() is experimental" in found[0]
    monkeypatch.setattr(prometheus, "FEATURES", (*prometheus.FEATURES, "promql-experimental-functions"))
    assert [p for p in compile_definitions(project_with(tmp_path / "on", case)).report.problems
            if p.code == "XR010"] == []


def test_a_comment_is_no_code_and_opens_no_string() -> None:
    """PromQL's lexer (and LogQL's) reads # to the line's end as a comment: a quote in it opens no string, and a name
    or a range in it is no call and no window."""
    commented = "# a `b\nx + y # c` 'd'"
    assert sorted(selector.name for selector in selectors(commented)) == ["x", "y"]
    assert release_refusal("rate(x[5m]) # was holt_winters(x[5m], 0.5, 0.5)", "3.15.0") == ""
    assert rescaled_text("# don't\nrate(x[5m]) # it's [5m]", lambda _: "1h", lambda shift: shift) == \
        "# don't\nrate(x[1h]) # it's [5m]"
