"""One line of a `matchers` list is a list of matchers, as Alertmanager reads it (config.Matchers UnmarshalYAML appends
every matcher the line's parser returns), pinned to upstream's own tests of both parsers:

- matcher/oldparse/parse_test.go TestMatchers: the classic parser, 0.25's pkg/labels.ParseMatchers moved unchanged
  (its only parser; from 0.27 the reading the default fallback mode takes whenever it reads the line),
- matcher/parse/parse_test.go TestMatchers: the UTF-8 parser (0.27 on), for what the classic parser cannot read.

tests/e2e/test_group_keys.py holds a route of such lines to a real Alertmanager 0.25's group key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from generator.core import matcher_parse
from generator.core.alert_routing import RouteTree
from generator.core.group_key import groupings, matchers_string
from generator.core.label_matchers import all_hold, read_matchers
from generator.core.matcher_parse import Matcher, parse_matchers, utf8_matchers

CLASSIC: list[tuple[str, list[Matcher]]] = [  # oldparse TestMatchers' inputs that parse (but an invalid regexp's)
    ("{}", []),
    ("{foo='}", [("foo", "=", "'")]),
    ("{foo=`}", [("foo", "=", "`")]),
    ('{foo=\\"}', [("foo", "=", '"')]),
    *((f"{{foo{op}{quote}{value}{quote}}}", [("foo", op, value)])  # {foo=bar}, {foo="bar"}, ... {foo!~"bar.*"}
      for op, value in (("=", "bar"), ("=~", "bar.*"), ("!=", "bar"), ("!~", "bar.*")) for quote in ("", '"')),
    ('{foo="bar", baz!="quux"}', [("foo", "=", "bar"), ("baz", "!=", "quux")]),
    ('{foo="bar", baz!~"quux.*"}', [("foo", "=", "bar"), ("baz", "!~", "quux.*")]),
    ('{foo="bar",baz!~".*quux", derp="wat"}', [("foo", "=", "bar"), ("baz", "!~", ".*quux"), ("derp", "=", "wat")]),
    ('{foo="bar", baz!="quux", derp="wat"}', [("foo", "=", "bar"), ("baz", "!=", "quux"), ("derp", "=", "wat")]),
    ('{foo="bar", baz!~".*quux.*", derp="wat"}',
     [("foo", "=", "bar"), ("baz", "!~", ".*quux.*"), ("derp", "=", "wat")]),
    ('{foo="bar", instance=~"some-api.*"}', [("foo", "=", "bar"), ("instance", "=~", "some-api.*")]),
    ('{foo=""}', [("foo", "=", "")]),
    ('{foo="bar,quux", job="job1"}', [("foo", "=", "bar,quux"), ("job", "=", "job1")]),
    ('{foo = "bar", dings != "bums", }', [("foo", "=", "bar"), ("dings", "!=", "bums")]),
    ("foo=bar,dings!=bums", [("foo", "=", "bar"), ("dings", "!=", "bums")]),
    ('{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}',
     [("quote", "=", 'She said: "Hi, ladies! That\'s gender-neutral…"')]),
    ('statuscode=~"5.."', [("statuscode", "=~", "5..")]),
    ("tricky=~~~", [("tricky", "=~", "~~")]),
    ('trickier==\\\\=\\=\\"', [("trickier", "=", '=\\=\\="')]),
    ('contains_quote != "\\"" , contains_comma !~ "foo,bar" , ',
     [("contains_quote", "!=", '"'), ("contains_comma", "!~", "foo,bar")]),
    ("{foo=bar}}", [("foo", "=", "bar}")]),
    ("{foo=bar}},}", [("foo", "=", "bar}}")]),
    ("{foo=,bar=}}", [("foo", "=", ""), ("bar", "=", "}")]),
    ("{foo=bar\\t}", [("foo", "=", "bar\\t")]),
    ("{foo=bar\\n}", [("foo", "=", "bar\n")]),
    ("{foo=bar\\}", [("foo", "=", "bar\\")]),
    ("{foo=bar\\\\}", [("foo", "=", "bar\\")]),
    ('{foo=bar\\"}', [("foo", "=", 'bar"')]),
    ("job=", [("job", "=", "")]),
    ("{foo=", [("foo", "=", "")]),
    ("{foo=}b", [("foo", "=", "}b")]),
]
CLASSIC_REFUSED = [  # oldparse TestMatchers' inputs that fail, and the error's words
    (",", "bad matcher format: "),
    ("{,}", "bad matcher format: "),
    ('job="value', 'matcher value contains unescaped double quote: "value'),
    ('job=value"', 'matcher value contains unescaped double quote: value"'),
    ('trickier==\\\\=\\=\\""', 'matcher value contains unescaped double quote: =\\\\=\\=\\""'),
    ('contains_unescaped_quote = foo"bar', 'matcher value contains unescaped double quote: foo"bar'),
    ('"{foo=\\"bar"}', 'bad matcher format: "{foo=\\"bar"'),
    ('"foo=\\"bar"', 'bad matcher format: "foo=\\"bar"'),
    ('"foo=\\"bar\\""', 'bad matcher format: "foo=\\"bar\\""'),
    ('"foo=\\"bar\\"', 'bad matcher format: "foo=\\"bar\\"'),
    ('"{foo=\\"bar\\"}"', 'bad matcher format: "{foo=\\"bar\\"}"'),
    ('"foo="bar""', 'bad matcher format: "foo="bar""'),
    ("{{foo=", "bad matcher format: {foo="),
]
UTF8: list[tuple[str, list[Matcher]]] = [  # matcher/parse TestMatchers' inputs that parse
    ("", []),
    ("{}", []),
    *((text.format(op=op, value=value), [("foo", op, value)])  # {foo=bar}, foo!=bar, {"foo"=~"[a-z]+"}, ...
      for text in ("{{foo{op}{value}}}", "foo{op}{value}", '{{"foo"{op}"{value}"}}')
      for op, value in (("=", "bar"), ("!=", "bar"), ("=~", "[a-z]+"), ("!~", "[a-z]+"))),
    *((text, [("foo", "=", "bar")]) for text in ("{foo=bar,}", "foo=bar,", '{"foo"="bar",}')),
    ("{foo=🙂}", [("foo", "=", "🙂")]),
    ("{foo=🙂bar}", [("foo", "=", "🙂bar")]),
    ('{"foo"="🙂"}', [("foo", "=", "🙂")]),
    ('{"foo"="\\xf0\\x9f\\x99\\x82"}', [("foo", "=", "🙂")]),
    ('{"foo"="\\U0001f642"}', [("foo", "=", "🙂")]),
    ('{"foo"="🙂bar"}', [("foo", "=", "🙂bar")]),
    ('{"foo"="bar\\n"}', [("foo", "=", "bar\n")]),
    ('{"foo"="bar\\t"}', [("foo", "=", "bar\t")]),
    ('{"foo"="\\"bar\\""}', [("foo", "=", '"bar"')]),
    ('{"foo"="bar\\\\"}', [("foo", "=", "bar\\")]),
    ('"foo"="bar"', [("foo", "=", "bar")]),
    ('"foo"="bar",', [("foo", "=", "bar")]),
    ("{foo=bar,bar!=baz}", [("foo", "=", "bar"), ("bar", "!=", "baz")]),
    ('{foo="bar",bar!="baz"}', [("foo", "=", "bar"), ("bar", "!=", "baz")]),
    ("foo=bar,bar!=baz", [("foo", "=", "bar"), ("bar", "!=", "baz")]),
    ('foo="bar",bar!="baz"', [("foo", "=", "bar"), ("bar", "!=", "baz")]),
]
UTF8_REFUSED = [",", "{,}", "{", "}", "foo=bar}", "{foo=bar", '{foo=:"bar"}', '{foo="bar\\w"}', "{foo=bar\\n}",
                '{"foo"="\\xf0\\x9f"}']
"""matcher/parse TestMatchers' inputs that fail."""


@pytest.mark.parametrize(("line", "read"), CLASSIC)
def test_a_line_reads_as_the_classic_parser_reads_it_in_every_release(line: str, read: list[Matcher]) -> None:
    assert parse_matchers(line) == read  # 0.25
    assert parse_matchers(line, utf8=True) == read  # 0.27 on: the fallback takes the classic reading


@pytest.mark.parametrize(("line", "words"), CLASSIC_REFUSED)
def test_a_line_neither_parser_reads_is_refused_with_the_classic_parsers_words(line: str, words: str) -> None:
    for utf8 in (False, True):
        with pytest.raises(ValueError, match="is not name op value") as refused:
            parse_matchers(line, utf8)
        assert f"({words}" in str(refused.value)


@pytest.mark.parametrize(("line", "read"), UTF8)
def test_a_line_reads_as_the_utf8_parser_reads_it(line: str, read: list[Matcher]) -> None:
    assert utf8_matchers(line) == read
    assert parse_matchers(line, utf8=True) == read


@pytest.mark.parametrize("line", UTF8_REFUSED)
def test_the_utf8_parser_refuses_what_upstream_refuses(line: str) -> None:
    with pytest.raises(ValueError):
        utf8_matchers(line)


def test_a_utf8_name_is_read_from_0_27_only_and_a_line_is_read_whole_by_one_parser() -> None:
    line = '"service.name"="api", env=prod'
    assert parse_matchers(line, utf8=True) == [("service.name", "=", "api"), ("env", "=", "prod")]
    with pytest.raises(ValueError, match="is not name op value"):
        parse_matchers(line)
    # oldparse TestMatchers: refused by the classic parser; a bare name without reserved characters to the UTF-8 one
    with pytest.raises(ValueError, match='bad matcher format: invalid-name = "valid label"'):
        parse_matchers('{invalid-name = "valid label"}')
    assert parse_matchers('{invalid-name = "valid label"}', utf8=True) == [("invalid-name", "=", "valid label")]


def route_matches(route: dict[str, Any], labels: dict[str, str], release: str = "0.25.0") -> bool:
    return all_hold(read_matchers(route, release), labels)


BOTH: dict[str, Any] = {"receiver": "both", "matchers": ['team="ops", severity=~"critical|page"', "{env=prod,zone!=b}"]}
ROUTE = {"receiver": "root", "routes": [BOTH, {"receiver": "rest"}]}
"""Lines holding two matchers each, one bare and braced (the classic parser's reading in every release)."""


def test_every_matcher_of_a_line_decides_the_route() -> None:
    labels = {"team": "ops", "severity": "page", "env": "prod", "zone": "a"}
    assert route_matches(BOTH, labels)
    tree = RouteTree.read(ROUTE, "0.34.1")
    for name, other in (("team", "dev"), ("severity", "info"), ("env", "dev"), ("zone", "b")):
        assert not route_matches(BOTH, {**labels, name: other}), name
        assert [route.receiver for route in groupings(tree, {**labels, name: other})] == ["rest"]


@pytest.mark.parametrize("release", ["0.25.0", "0.34.1"])
def test_the_route_key_writes_every_matcher_of_every_line_sorted(release: str) -> None:
    assert matchers_string(BOTH, release) == \
        '{env="prod",severity=~"critical|page",team="ops",zone!="b"}'


def test_routing_alert_after_alert_reads_each_line_of_the_tree_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """obsgen diff and obsgen apply route every alert through the whole tree (the ledger every notification): a line
    is read once, not once per alert and route walked (6370 readings of 14 lines for out/'s 157 alerts, before)."""
    read: list[str] = []
    classic = matcher_parse.classic_matchers

    def reading(line: str) -> list[Matcher]:
        read.append(line)
        return classic(line)

    monkeypatch.setattr(matcher_parse, "classic_matchers", reading)
    lines = ['read_once_team="ops", read_once_severity=~"critical|page"', "{read_once_env=prod}"]
    routes: list[dict[str, Any]] = [{"receiver": "first", "matchers": lines[:1], "continue": True},
                                    {"receiver": "second", "matchers": lines[1:]}]
    tree = RouteTree.read({"receiver": "root", "routes": routes}, "0.34.1")
    old = [read_matchers(route, "0.25.0") for route in routes]
    for alert in range(5):
        labels = {"read_once_team": "ops", "read_once_severity": "page", "read_once_env": "prod", "n": str(alert)}
        assert [route.receiver for route in groupings(tree, labels)] == ["first", "second"]
        assert all(all_hold(matchers, labels) for matchers in old)
    assert Counter(read) == {line: 2 for line in lines}  # as 0.34 reads it (the tree, its keys), as 0.25 (old)


def test_the_utf8_parser_splits_tokens_at_gos_spaces_only() -> None:
    """matcher/parse/lexer.go skips and ends a bare token at unicode.IsSpace (isReserved), which U+001C-U+001F are
    not (Python's str.isspace and re's \\s take them): such a character is part of a bare token, and one after a
    quoted value is a token the grammar refuses. U+202F is a Go space (lexer_test.go "unquoted unicode sentence with
    unicode space"). The classic parser reads none of these lines (its regexp's \\s is RE2's [\\t\\n\\f\\r ])."""
    assert parse_matchers('foo\x1c="bar"', utf8=True) == [("foo\x1c", "=", "bar")]
    assert parse_matchers("\x1ffoo=bar", utf8=True) == [("\x1ffoo", "=", "bar")]
    for line in ('foo="bar"\x1c', 'foo="bar",\x1d', 'foo=\x1e"bar"'):
        with pytest.raises(ValueError, match="is not name op value"):
            parse_matchers(line, utf8=True)
    assert parse_matchers("foo\u202f=\u202fbar\u3000", utf8=True) == [("foo", "=", "bar")]
