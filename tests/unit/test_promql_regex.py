"""PromQL selector regexes read as the Prometheus release that runs them: Go's regexp (RE2 syntax), anchored as
model/labels NewFastRegexMatcher anchors it, `.` taking a line feed from 3.0.0 (`^(?s:re)$`, 2.x `^(?:re)$`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.core.selector_regex import label_matches
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
