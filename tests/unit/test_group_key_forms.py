"""The group key forms of the Alertmanager the stack runs (0.34.1, stacks/docker-compose.yml) pinned to upstream's own
tests, beside the 0.25 form tests/e2e/test_group_keys.py holds to a real Alertmanager 0.25:

- pkg/labels/matcher_test.go TestMatcherString (a matcher's string in a route key; a name with a reserved character
  Go-quoted with its value, from 0.27),
- prometheus/common model/labelset_string_test.go TestLabelSet_String (the group labels: names sorted, from common
  v0.50, prometheus/common#575; Alertmanager 0.28 on), where 0.25's common sorted the `name="value"` strings,
- dispatch/route_test.go TestRouteMatch and TestRouteMatchers (route keys, unchanged between the two),
- matcher/parse/parse_test.go TestMatcher (the UTF-8 parser, from 0.27, for what the classic parser cannot read).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from generator.core import group_key
from generator.core.alert_routing import RouteTree
from generator.core.group_key import Grouping, groupings, label_set_string, matcher_string, matchers_string
from generator.core.matcher_parse import parse_matchers

STACK = "0.34.1"
OLD = "0.25.0"

MATCHER_STRINGS = [  # TestMatcherString: name, op, value, want
    *(("foo", op, "bar", f'foo{op}"bar"') for op in ("=", "!=", "=~", "!~")),
    ("foo", "=", "back\\slash", 'foo="back\\\\slash"'),
    ("foo", "=", 'double"quote', 'foo="double\\"quote"'),
    ("foo", "=", "new\nline", 'foo="new\\nline"'),
    ("foo", "=", "tab\tstop", 'foo="tab\tstop"'),
    ("foo", "=", "🙂", 'foo="🙂"'),
    ("foo!", "!=", "bar", '"foo!"!="bar"'),
    ("foo🙂", "=", "bar", 'foo🙂="bar"'),
    ("foo bar", "=", "baz", '"foo bar"="baz"'),
]


@pytest.mark.parametrize(("name", "op", "value", "want"), MATCHER_STRINGS)
def test_a_matchers_string_is_upstreams(name: str, op: str, value: str, want: str) -> None:
    assert matcher_string(name, op, value, STACK) == want


def test_a_legacy_names_matcher_is_written_alike_by_both_releases() -> None:
    for name, op, value, want in MATCHER_STRINGS[:9]:
        assert matcher_string(name, op, value, OLD) == matcher_string(name, op, value, STACK) == want
    assert matcher_string("foo bar", "=", "a\tb", OLD) == 'foo bar="a\tb"'  # 0.25 never quoted a name
    assert matcher_string("foo bar", "=", "a\tb", STACK) == '"foo bar"="a\\tb"'  # strconv.Quote of both


def test_group_labels_sort_by_name_on_the_stacks_release_and_by_pair_on_0_25() -> None:
    labels = {"foo": "bar", "foo2": "bar", "abc": "prometheus", "foo11": "bar11"}  # TestLabelSet_String
    assert label_set_string(labels, STACK) == '{abc="prometheus", foo="bar", foo11="bar11", foo2="bar"}'
    assert label_set_string(labels, OLD) == '{abc="prometheus", foo11="bar11", foo2="bar", foo="bar"}'
    assert label_set_string({}, STACK) == label_set_string({}, OLD) == "{}"
    assert label_set_string({"foo": "bar"}, STACK) == '{foo="bar"}'
    assert label_set_string({"service.name": "api", "service": "x"}, STACK) == '{service="x", service.name="api"}'
    assert label_set_string({"service.name": "api", "service": "x"}, "0.27.0") == '{service.name="api", service="x"}'


ROUTE_MATCH = yaml.safe_load("""
receiver: 'notify-def'
routes:
- match: {owner: 'team-A'}
  receiver: 'notify-A'
  routes:
  - match: {env: 'testing'}
    receiver: 'notify-testing'
    group_by: [...]
  - match: {env: "production"}
    receiver: 'notify-productionA'
    group_wait: 1m
    continue: true
  - match_re: {env: "produ.*", job: ".*"}
    receiver: 'notify-productionB'
    group_by: ['job']
- match_re: {owner: 'team-(B|C)'}
  group_by: ['foo', 'bar']
  receiver: 'notify-BC'
- match: {group_by: 'role'}
  group_by: ['role']
  routes:
  - match: {env: 'testing'}
    receiver: 'notify-testing'
    routes:
    - match: {wait: 'long'}
      group_wait: 2m
""")
ROUTE_MATCHERS = yaml.safe_load("""
receiver: 'notify-def'
routes:
- matchers: ['{owner="team-A"}', '{level!="critical"}']
  receiver: 'notify-A'
  routes:
  - matchers: ['{env="testing"}', '{baz!~".*quux"}']
    receiver: 'notify-testing'
    group_by: [...]
  - matchers: ['{env="production"}']
    receiver: 'notify-productionA'
    continue: true
  - matchers: [ env=~"produ.*", job=~".*"]
    receiver: 'notify-productionB'
    group_by: ['job']
- matchers: [owner=~"team-(B|C)"]
  group_by: ['foo', 'bar']
  receiver: 'notify-BC'
- matchers: [group_by="role"]
  group_by: ['role']
  routes:
  - matchers: ['{env="testing"}']
    receiver: 'notify-testing'
    routes:
    - matchers: [wait="long"]
""")
ROUTE_KEYS = [  # TestRouteMatch's inputs and keys, then TestRouteMatchers'
    (ROUTE_MATCH, {"owner": "team-A"}, ['{}/{owner="team-A"}']),
    (ROUTE_MATCH, {"owner": "team-A", "env": "unset"}, ['{}/{owner="team-A"}']),
    (ROUTE_MATCH, {"owner": "team-C"}, ['{}/{owner=~"^(?:team-(B|C))$"}']),
    (ROUTE_MATCH, {"owner": "team-A", "env": "testing"}, ['{}/{owner="team-A"}/{env="testing"}']),
    (ROUTE_MATCH, {"owner": "team-A", "env": "production"},
     ['{}/{owner="team-A"}/{env="production"}', '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}']),
    (ROUTE_MATCH, {"group_by": "role"}, ['{}/{group_by="role"}']),
    (ROUTE_MATCH, {"env": "testing", "group_by": "role"}, ['{}/{group_by="role"}/{env="testing"}']),
    (ROUTE_MATCH, {"env": "testing", "group_by": "role", "wait": "long"},
     ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']),
    (ROUTE_MATCHERS, {"owner": "team-A"}, ['{}/{level!="critical",owner="team-A"}']),
    (ROUTE_MATCHERS, {"owner": "team-C"}, ['{}/{owner=~"team-(B|C)"}']),
    (ROUTE_MATCHERS, {"owner": "team-A", "env": "testing"},
     ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']),
    (ROUTE_MATCHERS, {"owner": "team-A", "env": "production"},
     ['{}/{level!="critical",owner="team-A"}/{env="production"}',
      '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}']),
    (ROUTE_MATCHERS, {"env": "testing", "group_by": "role", "wait": "long"},
     ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']),
]


@pytest.mark.parametrize(("tree", "labels", "keys"), ROUTE_KEYS)
@pytest.mark.parametrize("release", [OLD, STACK])
def test_route_keys_are_upstreams_on_both_releases(tree: dict[str, Any], labels: dict[str, str], keys: list[str],
                                                     release: str) -> None:
    assert [route.key for route in groupings(RouteTree.read(tree, release), labels)] == keys


def test_group_by_inheritance_is_upstreams() -> None:
    """TestRouteMatch's results: `...` all labels, a child's group_by its own, none set the parent's; and an empty
    group_by sets none (config.Route's GroupBy stays nil, NewRoute keeps the parent's)."""
    tree = RouteTree.read(ROUTE_MATCH, STACK)
    taken = {(route.receiver, route.grouped_by) for labels in (
        {"owner": "team-A", "env": "testing"}, {"owner": "team-A", "env": "production"}, {"owner": "team-C"},
        {"env": "testing", "group_by": "role", "wait": "long"}) for route in groupings(tree, labels)}
    assert taken == {("notify-testing", "..."), ("notify-productionA", "(nothing)"), ("notify-productionB", "job"),
                     ("notify-BC", "bar, foo"), ("notify-testing", "role")}
    empty = {"group_by": ["alertname"], "routes": [{"receiver": "x", "group_by": [], "matchers": ["a=b"]}]}
    assert groupings(RouteTree.read(empty, STACK), {"a": "b"})[0].group_by == frozenset({"alertname"})



def test_a_routes_key_is_written_once_however_many_alerts_take_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """obsgen diff and apply route every alert of a side through a tree: each route's matchers are read and its key
    written once, the first time an alert reaches it, not again for every alert (the keys stay upstream's)."""
    tree = RouteTree.read(ROUTE_MATCH, STACK)
    alerts = [{"owner": owner, "env": env, "job": str(job)} for owner in ("team-A", "team-B", "team-C")
              for env in ("testing", "production", "unset") for job in range(20)]
    expected = [[route.key for route in groupings(RouteTree.read(ROUTE_MATCH, STACK), labels)] for labels in alerts]
    written: list[object] = []

    def counted(route: dict[str, Any], release: str) -> str:
        written.append(route)
        return matchers_string(route, release)

    monkeypatch.setattr(group_key, "matchers_string", counted)

    assert [[route.key for route in groupings(tree, labels)] for labels in alerts] == expected
    assert len(written) == len({id(route) for route in written})  # each route of the tree once

PARSED = [  # matcher/parse TestMatcher: input, (name, op, value)
    ("{foo=bar}", ("foo", "=", "bar")),
    ("{foo=bar,}", ("foo", "=", "bar")),
    ("{foo!=bar}", ("foo", "!=", "bar")),
    ("{foo=~[a-z]+}", ("foo", "=~", "[a-z]+")),
    ("{foo!~[a-z]+}", ("foo", "!~", "[a-z]+")),
    ("{foo=🙂}", ("foo", "=", "🙂")),
    ('{"foo"="\\xf0\\x9f\\x99\\x82"}', ("foo", "=", "🙂")),
    ('{"foo"="\\U0001f642"}', ("foo", "=", "🙂")),
    ("{foo=🙂bar}", ("foo", "=", "🙂bar")),
    ("foo=bar", ("foo", "=", "bar")),
    ("foo=bar,", ("foo", "=", "bar")),
    ("foo!=bar", ("foo", "!=", "bar")),
    ("foo=~[a-z]+", ("foo", "=~", "[a-z]+")),
    ("foo!~[a-z]+", ("foo", "!~", "[a-z]+")),
    ('{"foo"="bar"}', ("foo", "=", "bar")),
    ('{"foo"="bar",}', ("foo", "=", "bar")),
    ('{"foo"!="bar"}', ("foo", "!=", "bar")),
    ('{"foo"=~"[a-z]+"}', ("foo", "=~", "[a-z]+")),
    ('{"foo"!~"[a-z]+"}', ("foo", "!~", "[a-z]+")),
    ('{"foo"="🙂"}', ("foo", "=", "🙂")),
    ('{"foo"="🙂bar"}', ("foo", "=", "🙂bar")),
    ('{"foo"="bar\\n"}', ("foo", "=", "bar\n")),
    ('{"foo"="bar\\t"}', ("foo", "=", "bar\t")),
    ('{"foo"="\\"bar\\""}', ("foo", "=", '"bar"')),
    ('{"foo"="bar\\\\"}', ("foo", "=", "bar\\")),
    ('"foo"="bar"', ("foo", "=", "bar")),
    ('"foo"="bar",', ("foo", "=", "bar")),
    ('"service.name"="api"', ("service.name", "=", "api")),
    ("service.name=api", ("service.name", "=", "api")),
]


@pytest.mark.parametrize(("text", "parsed"), PARSED)
def test_utf8_matchers_read_as_the_stacks_alertmanager_reads_them(text: str, parsed: tuple[str, str, str]) -> None:
    assert parse_matchers(text, utf8=True) == [parsed]


@pytest.mark.parametrize(("text", "classic"), [('foo="\\xf0\\x9f"', ("foo", "=", "\\xf0\\x9f")),
                                               ('{foo="bar\\w"}', ("foo", "=", "bar\\w")),
                                               ("{foo=bar\\n}", ("foo", "=", "bar\n"))])
def test_what_the_utf8_parser_refuses_the_classic_reads(text: str, classic: tuple[str, str, str]) -> None:
    """TestMatcher's invalid inputs that the classic parser reads: the default (fallback) mode takes its reading
    (matcher/compat FallbackMatchersParser, config.Matchers' parser: `if nErr != nil { ... return cMatchers, nil }`);
    only what neither reads is refused ("" and "{}", which TestMatcher refuses as no matcher, are a line of none)."""
    assert parse_matchers(text, utf8=True) == [classic]
    for neither in ('"foo"="\\xf0\\x9f"', '"foo"="bar\\w"'):
        with pytest.raises(ValueError):
            parse_matchers(neither, utf8=True)


def test_quoted_utf8_names_are_refused_for_0_25_which_cannot_read_them() -> None:
    with pytest.raises(ValueError, match="is not name op value"):
        parse_matchers('"service.name"="api"', utf8=False)


def test_a_utf8_routes_key_on_the_stacks_release() -> None:
    route = {"matchers": ['"service name"="api"', '"service.name"="x\\ty"', 'host.name=~"web-.*"']}
    # sorted by name bytes (" " < "."); the Go-quoted "x\\ty" read as a tab, which a plain name's value keeps raw
    assert matchers_string(route, STACK) == '{host.name=~"web-.*","service name"="api",service.name="x\ty"}'
    with pytest.raises(ValueError):
        matchers_string(route, OLD)


def test_keys_compared_without_all_labels_differ_on_an_upgrade_only_where_the_order_does() -> None:
    def route(release: str, group_by: frozenset[str]) -> Grouping:
        return Grouping("{}/{a=\"b\"}", "pd", group_by, ('a="b"',), release)

    plain, prefixed = frozenset({"alertname", "instance"}), frozenset({"service", "service.name"})
    assert route(OLD, plain).same_key(route(STACK, plain))
    assert not route(OLD, prefixed).same_key(route(STACK, prefixed))
    assert route("0.28.0", prefixed).same_key(route(STACK, prefixed))
    alert = {"service": "a", "service.name": "b"}
    assert not route(OLD, prefixed).same_key(route(STACK, prefixed), alert)
    assert route(OLD, prefixed).same_key(route(STACK, prefixed), {"service": "a"})
