"""A query variable's query, options and value as Grafana 12 makes them (no server): the query forms of the
Prometheus data source's PrometheusMetricFindQuery and the requests they make, the variable's regex and sort as
scenes' metricNamesToVariableValues applies them, its value once its options are known
(MultiValueVariable.getStateUpdateGivenNewOptions), a link's `All` (handleLegacyUrlAllValue), and the order chained
variables run in."""

from __future__ import annotations

from typing import Any

import pytest

from generator.core.grafana_interpolation import ALL_VALUE, formatted
from generator.core.grafana_variable_value import Option, validated
from generator.preview.linked import chosen
from generator.preview.variable_options import js_regex, sorted_options, variable_options
from generator.preview.variable_query import Lookup, found_texts, lookup_for, query_text
from generator.preview.variables import _order

START, END = 1000.5, 1030.2
"""A range whose ends are not whole seconds: the label endpoints get 960..1080 (minutes), the others 1001..1031."""
SNAPPED = (("limit", "40000"), ("start", "960"), ("end", "1080"))


@pytest.mark.parametrize(("query", "expected"), [
    ("label_values(job)", Lookup("/api/v1/label/job/values", SNAPPED, "strings")),
    ('label_values(up{job="a"}, instance)',
     Lookup("/api/v1/label/instance/values", (*SNAPPED, ("match[]", 'up{job="a"}')), "strings")),
    ("label_values( { } ,instance)", Lookup("/api/v1/label/instance/values", SNAPPED, "strings")),  # {}: no match
    ('label_values(up, "odd/name")', Lookup("/api/v1/label/U__odd_2f_name/values", (*SNAPPED, ("match[]", "up")),
                                            "strings")),  # utf8_support.ts escapeForUtf8Support
    ("label_names()", Lookup("/api/v1/labels", SNAPPED, "strings")),
    ("label_names(node_cpu)", Lookup("/api/v1/labels", (*SNAPPED, ("match[]", '{__name__=~".*node_cpu.*"}')),
                                     "strings", drop="__name__")),
    ("metrics(up|node_.*)", Lookup("/api/v1/label/__name__/values",
                                   (*SNAPPED, ("match[]", '{__name__=~"up|node_.*"}')), "strings")),
    ("query_result(topk(3, up))", Lookup("/api/v1/query", (("query", "topk(3, up)"), ("time", "1031")), "result")),
    ('up{job="a"}', Lookup("/api/v1/series", (("match[]", 'up{job="a"}'), ("start", "1001"), ("end", "1031")),
                           "series")),
    ("", None), ("label_values()", None), ("metrics()", None), ("query_result()", None),
])
def test_each_query_form_asks_what_grafanas_prometheus_data_source_asks(query: str, expected: Lookup | None) -> None:
    assert lookup_for(query, START, END) == expected


def test_the_query_is_the_string_or_the_query_objects_query() -> None:
    assert query_text({"query": "label_values(job)"}) == "label_values(job)"
    assert query_text({"query": {"query": "label_values(job)", "refId": "A", "qryType": 1}}) == "label_values(job)"
    assert query_text({"query": {"refId": "A"}}) == query_text({}) == ""


def test_answers_become_texts_as_the_data_source_writes_them() -> None:
    vector = {"resultType": "vector", "result": [
        {"metric": {"__name__": "up", "job": "x", "instance": "a:1"}, "value": [1767225600.5, "1"]}]}
    assert found_texts(Lookup("/api/v1/query", (), "result"), vector) == ['up{job="x",instance="a:1"} 1 1767225600500']
    assert found_texts(Lookup("/api/v1/query", (), "result"),
                       {"resultType": "scalar", "result": [1, "42"]}) == ["42"]
    assert found_texts(Lookup("/api/v1/series", (), "series"), [{"__name__": "up", "job": "x"}, {"a": "b"}]) == [
        'up{job="x"}', '{a="b"}']
    assert found_texts(Lookup("/api/v1/labels", (), "strings", drop="__name__"), ["__name__", "job"]) == ["job"]
    assert found_texts(Lookup("/api/v1/labels", (), "strings"), {"not": "a list"}) == []
    with pytest.raises(ValueError, match="not of the shape asked"):
        found_texts(Lookup("/api/v1/query", (), "result"), {"resultType": "matrix", "result": []})


def _options(found: list[str], **variable: Any) -> list[tuple[str, str]]:
    return [(option.text, option.value) for option in variable_options(found, variable)]


def test_a_regex_filters_and_captures_as_scenes_applies_it() -> None:
    assert _options(["node-a", "db-b", "node-c"], regex="node.*") == [("node-a", "node-a"), ("node-c", "node-c")]
    assert _options(["xnode-a"], regex="node.*") == []  # without slashes, anchored at both ends
    assert _options(["xnode-a"], regex="/node.*/") == [("xnode-a", "xnode-a")]  # with them, not
    result = ['up{instance="a:9100",job="n"} 1 1000', 'up{instance="b:9100",job="n"} 1 1000']
    assert _options(result, regex='/instance="([^"]+)"/') == [("a:9100", "a:9100"), ("b:9100", "b:9100")]
    assert _options(["web-01:prod", "web-02:prod"], regex="/(?<text>[^:]+):(?<value>.+)/") == [
        ("web-01", "prod")]  # duplicates by value go
    assert _options(["a1b2", "c3"], regex=r"/(\d)/g") == [("1", "1"), ("2", "2"), ("3", "3")]
    assert _options(["A-x", "a-y"], regex="/^a/i") == [("A-x", "A-x"), ("a-y", "a-y")]
    with pytest.raises(ValueError, match="not a valid regular expression"):
        js_regex("/(unclosed/")
    with pytest.raises(ValueError, match="names a variable"):
        variable_options(["a"], {"regex": "/$job-.*/"})


def test_a_hostile_regex_cannot_hold_the_preview() -> None:
    """A dashboard's regex runs on every value Prometheus answers: `^(a+)+$` on 40 a's and a b takes Python's
    backtracking re some 2^40 steps (this test never ended on the old code); RE2 answers in linear time."""
    assert _options(["a" * 40 + "b", "aaa"], regex="(a+)+") == [("aaa", "aaa")]
    assert _options(["a" * 40 + "b"], regex="/^(a|aa)+$/") == []


def test_a_regex_re2_does_not_run_is_a_failed_query_not_a_crash() -> None:
    """Lookaround and backreferences, which JavaScript has and RE2 has not: refused, said, noted on the page."""
    for written in ("/^(?!kube-).*/", r"/(a)\1/"):
        with pytest.raises(ValueError, match="RE2, which has no lookaround nor backreferences"):
            js_regex(written)


ORDERS = ["b10", "a2", "B1", "a10", "x"]


@pytest.mark.parametrize(("sort", "expected"), [
    (0, ORDERS),
    (1, ["B1", "a10", "a2", "b10", "x"]),
    (2, ["x", "b10", "a2", "a10", "B1"]),
    (3, ["x", "B1", "a2", "b10", "a10"]),  # first number in the text, -1 without one; ties as found
    (4, ["a10", "b10", "a2", "B1", "x"]),
    (5, ["a10", "a2", "B1", "b10", "x"]),
    (6, ["x", "b10", "B1", "a2", "a10"]),
    (7, ["a2", "a10", "B1", "b10", "x"]),
    (8, ["x", "b10", "B1", "a10", "a2"]),
    (9, ORDERS), (None, ORDERS),
])
def test_sort_orders_the_options_as_grafanas_sort_numbers_say(sort: object, expected: list[str]) -> None:
    assert [o.text for o in sorted_options([Option(text, text) for text in ORDERS], sort)] == expected


A, B = Option("a", "a"), Option("B text", "b")


@pytest.mark.parametrize(("variable", "options", "expected"), [
    ({"current": None}, [A, B], ("a", "a")),  # kube-prometheus' `current: null`: the first option
    ({"current": {"value": "b", "text": "b"}}, [A, B], ("b", "B text")),
    ({"current": {"value": "gone", "text": "B text"}}, [A, B], ("b", "B text")),  # found by its text
    ({"current": {"value": "gone"}, "includeAll": True}, [A, B], (ALL_VALUE, "All")),  # defaultToAll
    ({"current": {"value": "$__all"}}, [A, B], ("a", "a")),  # All without includeAll: the first option
    ({"current": {"value": ["$__all"]}, "includeAll": True, "multi": True}, [A, B], (["$__all"], "All")),
    ({"current": {"value": ["b", "gone"]}, "multi": True}, [A, B], (["b"], ["B text"])),
    ({"current": {"value": ["gone"]}, "multi": True}, [A, B], (["a"], ["a"])),
    ({"current": {"value": ["gone"]}, "multi": True, "includeAll": True}, [A, B], ([ALL_VALUE], ["All"])),
    ({"current": {"value": "a"}}, [], ("", "")),
    ({"current": {"value": "a"}, "multi": True}, [], ([], [])),
    ({"current": {"value": "a"}, "includeAll": True}, [], (ALL_VALUE, "All")),
])
def test_the_value_once_the_options_are_known(variable: dict[str, Any], options: list[Option],
                                              expected: tuple[object, object]) -> None:
    assert validated(variable, options) == expected


def test_all_without_a_custom_all_value_is_the_options_values_escaped() -> None:
    variable = {"type": "query", "multi": True, "includeAll": True}
    assert formatted(variable, [ALL_VALUE], ["a.b:1", "c"]) == r"(a\\.b:1|c)"
    assert formatted(variable, [ALL_VALUE], []) == "()"
    assert formatted({**variable, "allValue": ".+"}, [ALL_VALUE], ["a"]) == ".+"


@pytest.mark.parametrize(("values", "expected"), [
    (("All", "a"), [ALL_VALUE]),  # handleLegacyUrlAllValue: All first is All, whatever follows
    (("$__all", "a"), ["a"]),  # changeValueTo: $__all first beside others goes
    (("a", "$__all"), [ALL_VALUE]),  # $__all last is All
    (("a", "All"), ["a", "All"]),  # All elsewhere is a value like any
    ((".+",), [ALL_VALUE]),  # the custom all value
])
def test_a_links_all_is_read_as_scenes_reads_it(values: tuple[str, ...], expected: list[str]) -> None:
    assert chosen({"includeAll": True, "multi": True, "allValue": ".+"}, values) == expected


def test_a_variable_waits_for_the_query_variables_its_query_names_and_other_sources_are_not_asked() -> None:
    variables: list[dict[str, Any]] = [
        {"type": "query", "name": "pod", "query": 'label_values(up{namespace="$namespace"}, pod)'},
        {"type": "custom", "name": "env", "query": "a,b"},
        {"type": "query", "name": "namespace", "query": 'label_values(up{cluster="${cluster}"}, namespace)'},
        {"type": "query", "name": "cluster", "query": "label_values(up, cluster)"},
        {"type": "query", "name": "self", "query": 'label_values(up{x="$self"}, x)'},
        {"type": "query", "name": "logs", "query": "label_values(app)", "datasource": {"type": "loki", "uid": "l"}},
    ]
    assert [variables[i]["name"] for i in _order(variables)] == ["cluster", "namespace", "pod", "self"]


@pytest.mark.parametrize(("variable", "expected"), [
    ({"type": "custom", "query": "a,b"}, "a"),  # no current: the first option, not All's (a|b)
    ({"type": "custom", "query": "a,b", "current": {"text": "gone", "value": "gone"}}, "a"),  # not an option
    ({"type": "custom", "query": "a,b", "current": {"text": "b", "value": "b"}}, "b"),
    ({"type": "custom", "query": "a,b,c", "multi": True, "current": {"value": ["a", "c"]}}, "(a|c)"),
    ({"type": "custom", "query": "a,b", "includeAll": True}, "(a|b)"),  # defaultToAll
    ({"type": "textbox", "query": "checkout"}, "checkout"),  # its default text, not .*
    ({"type": "textbox", "query": "checkout", "current": {"value": "cart's"}}, "cart\\\\'s"),
    ({"type": "constant", "query": "prod", "current": {"value": "stale"}}, "prod"),
    ({"type": "query", "query": "label_values(job)", "current": {"value": "x"}}, ".*"),  # its options come later
])
def test_a_variable_without_a_data_source_opens_at_the_value_scenes_builds_it_with(
        variable: dict[str, Any], expected: str) -> None:
    """createSceneVariableFromVariableModel: custom validated against its query's options, textbox its current or
    its query, constant its query."""
    from pathlib import Path

    from generator.preview.source import DashboardFile

    document = {"uid": "v", "templating": {"list": [{"name": "v", **variable}]}}
    assert DashboardFile(Path("v.json"), "General", document).variable_defaults() == {"v": expected}


def test_a_regex_keeps_a_variable_the_values_lack_as_written() -> None:
    """scenes' sceneInterpolator returns the match for a variable it does not find: `$nowhere` stays in the regex,
    where it matches nothing (an end of text, then `nowhere`); `$job` is filled in in the regex format."""
    found = ["a-1", "b-2", "$nowhere"]
    assert [o.value for o in variable_options(found, {"regex": "/$nowhere|^b-.*/"}, {})] == ["b-2"]
    assert [o.value for o in variable_options(found, {"regex": "/^$job-.*|${nowhere}/"}, {"job": "a"})] == ["a-1"]
