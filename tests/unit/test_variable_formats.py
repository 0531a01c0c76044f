"""`${var:<format>}` in a query writes what the variable holds as Grafana 12's format registry writes it, in place of
the Prometheus data source's escaping; the cases are grafana/scenes' formatRegistry.test.ts, through a dashboard
variable holding those values. And a label name beyond Prometheus' legacy characters is asked for in the `U__`
form (grafana/grafana packages/grafana-prometheus/src/utf8_support.test.ts)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.core.grafana_interpolation import ALL_VALUE, formatted
from generator.core.grafana_promql import interpolate
from generator.preview.source import DashboardFile


def _written(form: str, values: list[str], texts: list[str] | None = None, **variable: Any) -> str:
    """`${server:<form>}` for a variable `server` holding values (a multi-value one when several, or a list)."""
    held = {"name": "server", "type": "custom", "query": "", **variable}
    return interpolate(f"${{server:{form}}}", {"server": formatted(held, values, None, texts)})


ROOT = Path(__file__).resolve().parents[2]
MULTI = {"multi": True}
EPOCH_MS = "1594671549254"
"""scenes' date cases' time (2020-07-13T20:19:09.254Z), as a variable holds it: a string parseInt reads."""
CASES = [
    ("lucene", ["foo bar"], {}, "foo\\ bar"), ("lucene", ["-1"], {}, "-1"), ("lucene", ["-test"], {}, "\\-test"),
    ("lucene", ["foo bar", "baz"], MULTI, '("foo\\ bar" OR "baz")'), ("lucene", [], MULTI, "__empty__"),
    ("glob", ["foo"], {}, "foo"), ("glob", ["AA", "BB", "C.*"], MULTI, "{AA,BB,C.*}"),
    ("text", ["test", "test2"], MULTI, "test + test2"),
    ("raw", ["12", "13"], MULTI, "12,13"), ("raw", ['#Æ³ ̇¹"Ä1"#!"#!½'], {}, '#Æ³ ̇¹"Ä1"#!"#!½'),
    ("regex", ["test."], {}, "test\\."), ("regex", ["test."], MULTI, "test\\."),
    ("regex", ["test.", "test2"], MULTI, "(test\\.|test2)"),
    ("pipe", ["test", "test2"], MULTI, "test|test2"),
    ("csv", ["test"], {}, "test"), ("csv", ["test", "test2"], MULTI, "test,test2"),
    ("json", ["test", "12"], MULTI, '["test","12"]'), ("json", ["test"], {}, "test"),
    ("percentencode", ["foo()bar BAZ", "test2"], MULTI, "%7Bfoo%28%29bar%20BAZ%2Ctest2%7D"),
    ("singlequote", ["test"], {}, "'test'"), ("singlequote", ["test", "test'2"], MULTI, "'test','test\\'2'"),
    ("doublequote", ["test"], {}, '"test"'), ("doublequote", ["test", 'test"2'], MULTI, '"test","test\\"2"'),
    ("sqlstring", ["test'value"], {}, "'test''value'"), ("sqlstring", ['test"value'], {}, "'test\\\"value'"),
    ("sqlstring", ["test", "test'value2", 'test"value3'], MULTI, "'test','test''value2','test\\\"value3'"),
    ("queryparam", ["helloAZ%="], {}, "var-server=helloAZ%25%3D"),
    ("distributed", ["test"], {}, "test"), ("distributed", ["test"], MULTI, "test"),
    ("distributed", ["test", "test2", "test3"], MULTI, "test,server=test2,server=test3"),
    ("nosuchformat", ["AA", "BB"], MULTI, "{AA,BB}"),  # Grafana falls back to glob
    ("html", ["<script>alert(asd)</script>"], {}, "&lt;script&gt;alert(asd)&lt;/script&gt;"),
    ("date", [EPOCH_MS], {}, "2020-07-13T20:19:09.254Z"), ("date:seconds", [EPOCH_MS], {}, "1594671549"),
    ("date:iso", [EPOCH_MS], {}, "2020-07-13T20:19:09.254Z"), ("date:YYYY-MM", [EPOCH_MS], {}, "2020-07"),
    ("date:YYYY-MM:ss", [EPOCH_MS], {}, "2020-07:09"), ("date:YYYY:MM:DD", [EPOCH_MS], {}, "2020:07:13"),
    ("join", ["hello"], {}, "hello"), ("join", ["hello"], MULTI, "hello"), ("join", ["hello", "world"], MULTI,
                                                                           "hello,world"),
    ("join: | ", ["hello", "world"], MULTI, "hello | world"),
    ("customqueryparam", ["api", "database"], MULTI, "server=api&server=database"),
    ("customqueryparam:p-server", ["api", "database"], MULTI, "p-server=api&p-server=database"),
    ("customqueryparam:p-server:v-", ["api", "database"], MULTI, "p-server=v-api&p-server=v-database"),
    ("customqueryparam", ["api"], MULTI, "server=api"), ("customqueryparam:p-server", ["api"], MULTI, "p-server=api"),
    ("customqueryparam:p-server:v-", ["api"], MULTI, "p-server=v-api"), ("customqueryparam", ["api"], {}, "server=api"),
    ("customqueryparam:p-server", ["api"], {}, "p-server=api"),
    ("customqueryparam:p-server:v-", ["api"], {}, "p-server=v-api"),
    ("customqueryparam:p-server:v-", ["mysql&postgres", "databases!"], MULTI,
     "p-server=v-mysql%26postgres&p-server=v-databases%21"),
    ("customqueryparam:space & ampersand!:v& ", ["mysql&postgres", "databases!"], MULTI,
     "space%20%26%20ampersand%21=v%26%20mysql%26postgres&space%20%26%20ampersand%21=v%26%20databases%21"),
    ("uriencode", ["/any-path/any-second-path?query=foo()bar BAZ"], {},
     "/any-path/any-second-path?query=foo%28%29bar%20BAZ"),
]


@pytest.mark.parametrize(("form", "values", "variable", "expected"), CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_a_format_writes_what_grafanas_format_registry_writes(form: str, values: list[str],
                                                              variable: dict[str, Any], expected: str) -> None:
    assert _written(form, values, **variable) == expected


def test_the_text_format_writes_the_text_the_variable_shows() -> None:
    assert _written("text", ["v"], ["display text"]) == "display text"
    assert _written("text", [ALL_VALUE], includeAll=True, query="a,b") == "All"


def test_all_with_a_custom_all_value_is_written_as_it_is_but_for_text_percentencode_and_queryparam() -> None:
    """scenes MultiValueVariable.ts CustomAllValue.formatter."""
    custom: dict[str, Any] = {"includeAll": True, "allValue": ".*", "query": "a,b"}
    assert _written("regex", [ALL_VALUE], **custom) == ".*"
    assert _written("csv", [ALL_VALUE], **custom) == ".*"
    assert _written("text", [ALL_VALUE], **custom) == "All"
    assert _written("percentencode", [ALL_VALUE], **custom) == ".%2A"
    assert _written("queryparam", [ALL_VALUE], **custom) == "var-server=$__all"


def test_all_without_one_is_its_options_values_in_the_format() -> None:
    options: dict[str, Any] = {"includeAll": True, "query": "a.b,c"}
    assert _written("regex", [ALL_VALUE], **options) == "(a\\.b|c)"
    assert _written("csv", [ALL_VALUE], **options) == "a.b,c"
    assert _written("glob", [ALL_VALUE], **options) == "{a.b,c}"


def test_a_constant_has_no_url_state_and_a_multi_value_one_a_parameter_per_value() -> None:
    assert _written("queryparam", ["a b"], type="constant") == "var-server=a%20b"
    assert _written("queryparam", ["a b", "c@d"], multi=True) == "var-server=a%20b&var-server=c@d"


def test_the_preview_and_the_lint_write_a_format_as_grafana_does() -> None:
    """A dashboard whose query reads `${job:pipe}` and `${job:regex}` beside the data source's `$job`."""
    from generator.checks.lint.dashboard_json import variable_values

    document = {"uid": "f", "title": "F", "templating": {"list": [
        {"name": "job", "type": "custom", "query": "a.x,b", "multi": True, "current": {"value": ["a.x", "b"]}}]}}
    expr = 'up{job=~"$job", alt=~"${job:regex}", list="${job:pipe}", n="[[job:csv]]"}'
    expected = 'up{job=~"(a\\\\.x|b)", alt=~"(a\\.x|b)", list="a.x|b", n="a.x,b"}'
    assert interpolate(expr, DashboardFile(Path("f.json"), "General", document).variable_defaults()) == expected
    assert interpolate(expr, variable_values(document)) == expected


@pytest.mark.parametrize(("label", "path"), [
    ("no:escaping_required", "no:escaping_required"),
    ('"mysystem.prod.west.cpu.load"', "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load"),
    ('"mysystem.prod.west.cpu.load_total"', "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total"),
    ('"http.status:sum"', "U__http_2e_status:sum"),
    ('"my lovely_http.status:sum"', "U__my_20_lovely__http_2e_status:sum"),
    ('"花火"', "U___82b1__706b_"),
    ("k8s.pod", "U__k8s_2e_pod"),
])
def test_a_label_values_query_asks_for_a_utf8_label_name_in_its_u_form(label: str, path: str) -> None:
    from urllib.parse import quote

    from generator.preview.variable_query import lookup_for

    lookup = lookup_for(f"label_values({label})", 0.0, 3600.0)
    assert lookup is not None and lookup.path == f"/api/v1/label/{quote(path, safe='')}/values"


def test_a_query_variables_regex_fills_in_the_variables_it_names_in_the_regex_format() -> None:
    """scenes QueryVariable: sceneGraph.interpolate(this, regex, undefined, 'regex'): `a.x` matches a literal dot."""
    from generator.preview.variable_options import variable_options

    prefix = formatted({"name": "prefix", "type": "custom", "query": "a.x"}, ["a.x"])
    found = variable_options(["a.x-1", "abx-2", "b-3"], {"regex": "/^$prefix-(.*)/"}, {"prefix": prefix})
    assert [option.value for option in found] == ["1"]


@pytest.mark.parametrize(("form", "value", "expected"), [
    ("date", "1594671549254 ms", "2020-07-13T20:19:09.254Z"), ("date", "now", "NaN"), ("date:ms", " 12x", " 12x"),
    ("date:seconds", "-1500", "-1"), ("date:seconds", "9" * 400, "Infinity"), ("date", "9" * 5000, "null"),
    ("date:seconds", "9" * 309, "Infinity"), ("date:YYYY", "-" + "2" * 309, "Invalid date"),
    ("date:YYYY", "8640000000000001", "Invalid date"), ("date:", EPOCH_MS, "2020-07-13T20:19:09+00:00"),
    ("date:LLLL", EPOCH_MS, "Monday, July 13, 2020 8:19 PM"),
    ("date:[week] W gggg Do dddd h:mm:ss.SSS A Z X", EPOCH_MS,
     "week 29 2020 13th Monday 8:19:09.254 PM +00:00 1594671549"),
    ("date:ww wo gg E e dd MMM Qo DDDD k a", "1609459200000", "01 1st 21 5 5 Fr Jan 1st 001 24 am"),
    ("date:W GGGG", "1609459200000", "53 2020")])
def test_the_date_format_reads_epoch_milliseconds_as_parse_int_and_writes_them_as_moment(
        form: str, value: str, expected: str) -> None:
    """scenes' date format: parseInt(value, 10) (NaN: `NaN`; a value past a double: Infinity), then `ms` as
    written, `seconds` Math.round(ms / 1000), `iso` toISOString (null for an invalid date), any other moment's
    format() in the browser's zone (UTC here; "Invalid date" past JavaScript's dates; an empty one moment's
    default format); a list is no number (`NaN`)."""
    assert _written(form, [value]) == expected
    assert _written("date", ["1", "2"], multi=True) == "NaN"



def test_the_date_format_writes_moments_english_months_without_importing_calendar() -> None:
    # calendar (with locale) was about 2 ms of every build's imports, for its month names, which are the LC_TIME
    # locale's, not moment's `en`
    months = [_written("date:MMMM MMM", [str(int(datetime(2021, month, 15, tzinfo=UTC).timestamp() * 1000))])
              for month in range(1, 13)]
    assert months == [f"{name} {name[:3]}" for name in (
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December")]
    code = "import sys, generator.core.moment_format; print(*sorted({'calendar', 'locale'} & set(sys.modules)))"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert shown.stdout.split() == []
