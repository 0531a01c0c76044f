"""Expressions with a string never closed are tokenized in linear time (a rule's or an imported rule's expression,
`obsgen diff` on a pull request's), and every text as the old regexes tokenized it: `"(?:[^"\\]|\\.)*"` read to the
end again from each escaped quote of an unclosed string (about 100x per 10x longer; tests/linear_time.py)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from generator.analysis.diff import expr_diff
from generator.core import logql, promql_text, thresholds
from generator.core.quoted import Tokens
from tests.linear_time import LINEAR, growth

OLD = {
    "expr_diff": (expr_diff.TOKEN, re.compile(
        r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[a-z]*'
        r"|[A-Za-z_:][\w:]*|=~|!~|!=|==|>=|<=|\s+|\S")),
    "promql_text": (promql_text._NOT_CODE, re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\r\n]*""")),
    "thresholds": (thresholds._TOKEN, re.compile(
        r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
      |(?P<comment>\#[^\n]*)
      |(?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
      |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<word>[a-zA-Z_:][\w:]*)
      |(?P<other>\S)""", re.VERBOSE)),
    "logql": (logql.STRINGS, re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')),
}
_PIECES = ['"', "'", "`", "\\", "\n", " ", "a", "1", "#", "\r", "=", '\\"', "\\'", "5m", "{", "}", "0x1f", "~"]
_RUNS: dict[str, Callable[[str], object]] = {
    "expr_diff": expr_diff.tokens,
    "promql_text": lambda expr: promql_text.rescaled_text(expr, str, str),
    "thresholds": thresholds._number_spans,
    "logql": logql.strip_strings,
}
_UNCLOSED = [
    lambda n: '"' + '\\"' * (n // 2),  # each escaped quote started a string anew and read to the end
    lambda n: "'" + "\\'" * (n // 2),
    lambda n: "#\\\"" * (n // 3),  # an escaped quote in a comment: a string no token contains
    lambda n: "\"'" + "\\\"\\'" * (n // 4),
]


@pytest.mark.parametrize("text", _UNCLOSED, ids=["double", "single", "comment", "both"])
@pytest.mark.parametrize("site", sorted(_RUNS))
def test_an_unclosed_string_is_tokenized_in_linear_time(site: str, text: Callable[[int], str]) -> None:
    assert growth(_RUNS[site], text) < LINEAR


@pytest.mark.parametrize("site", sorted(OLD))
def test_every_text_is_tokenized_as_before(site: str) -> None:
    new, old = OLD[site]
    chosen = random.Random(site)
    texts = ["".join(chosen.choice(_PIECES) for _ in range(chosen.randint(0, 30))) for _ in range(5000)]
    texts += ['sum(rate(x{a="b\\"c",d=\'e\'}[5m])) > 0.5 # it\'s "x', '{a=`b"`} |= "c\\\\" # \\"d"\n+ 1']
    for text in texts:
        assert [(m.span(), m.lastgroup) for m in new.finditer(text)] == \
            [(m.span(), m.lastgroup) for m in old.finditer(text)], text


def test_a_pattern_without_a_quoted_string_as_written_is_refused() -> None:
    with pytest.raises(ValueError, match="no quoted string"):
        Tokens(r"\'(?:[^\'\\]|\\.)*\'")  # the same regex, written so the guard could not find it
