"""A long `matchers` line (from a definition or an imported alertmanager.yml, so from anyone) is read in time linear
in its length by the UTF-8 parser's lexer (tests/linear_time.py: CPU time at n and 10 n)."""

from __future__ import annotations

import re

import pytest

from generator.core.matcher_parse import parse_matchers, utf8_matchers
from tests.linear_time import LINEAR, growth


def _line(n: int) -> str:
    """n short matchers, then one whose quoted value is 100 n characters long: what each token's look at the rest of
    the line costs, against what reading a token costs."""
    return "{" + "a=b," * n + 'c="' + "x" * (100 * n) + '"}'


def test_a_long_utf8_line_is_read_in_linear_time() -> None:
    # the lexer copied the rest of the line at each token to see whether any was left: 46x for 10x (n=300)
    assert utf8_matchers(_line(2)) == [("a", "=", "b"), ("a", "=", "b"), ("c", "=", "x" * 200)]
    assert growth(utf8_matchers, _line, 300) < LINEAR


@pytest.mark.parametrize(("line", "refused"), [
    ("{a=b, c", "a { without its }"),
    ("a=b, \t\u3000 !", "!: invalid input"),
    ('"a.b"=c \u2028 "', '": invalid input'),
    ("a=b \t ", None),
])
def test_the_lexer_reads_and_refuses_as_before(line: str, refused: str | None) -> None:
    if refused is None:
        assert utf8_matchers(line) == [("a", "=", "b")]
    else:
        with pytest.raises(ValueError, match=re.escape(refused)):
            parse_matchers(line, utf8=True)
