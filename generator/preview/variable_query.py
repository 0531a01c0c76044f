"""What a Prometheus query variable asks, as Grafana 12's Prometheus data source asks it, and the values it reads off
the answer.

The query is the variable's `query`: a string, or (a dashboard saved by Grafana's variable editor, and the
kube-prometheus / grafana-mixin dashboards) an object whose `query` holds it (grafana/grafana
packages/grafana-prometheus/src/variables.ts PrometheusVariableSupport.query). The earlier variables are filled in
first, as in a panel's query (core/grafana_interpolation.py). Then metric_find_query.ts
PrometheusMetricFindQuery.process reads it,
the forms tried in this order (the patterns of migrations/variableMigration.ts):

- `label_names(m)`: the label names of the series whose metric name matches `.*m.*`, without `__name__`
  (languageProvider.queryLabelKeys: /api/v1/labels, match[]);
- `label_names()`: every label name (datasource.getTagKeys: /api/v1/labels);
- `label_values(label)`, `label_values(selector, label)`: /api/v1/label/<label>/values, with match[] the selector
  unless it is blank or `{}` (resource_clients.ts LabelsApiClient.queryLabelValues: Prometheus >= 2.24, the
  data source's prometheusType), a label name beyond the legacy characters (`"k8s.pod"`) written in Prometheus'
  `U__` form (utf8_escaped);
- `metrics(re)`: /api/v1/label/__name__/values with match[] `{__name__=~"re"}`;
- `query_result(expr)`: an instant query at the range's end, each series written `name{a="x",b="y"} value ms`;
- anything else but `label_values()`, `metrics()`, `query_result()`: /api/v1/series, match[] the query, each series
  written `name{a="x",b="y"}` (result_transformer.ts getOriginalMetricName).

The label endpoints carry `limit=40000` (constants.ts DEFAULT_SERIES_LIMIT) and the range snapped as the data
source's default cache level (Low) snaps it: the start down, the end up, to the minute (language_utils.ts
getRangeSnapInterval, getPrometheusTime); series and the instant query the range's ends in whole seconds, rounded up.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from generator.model.metrics import METRIC_NAME

DOT = r"[^\n\r\u2028\u2029]"
"""JavaScript's `.`: any character but a line terminator."""
LABEL_NAMES = re.compile(r"label_names\(\)\s*")
LABEL_NAMES_MATCHING = re.compile(rf"label_names\(({DOT}+)\)\s*")
LABEL_VALUES = re.compile(rf"label_values\((?:({DOT}+),\s*)?({DOT}+)\)\s*")
METRICS = re.compile(rf"metrics\(({DOT}+)\)\s*")
QUERY_RESULT = re.compile(rf"query_result\(({DOT}+)\)\s*")
EMPTY_FORMS = ("label_values()", "metrics()", "query_result()")
SERIES_LIMIT = "40000"
SNAP = 60
"""Seconds the label endpoints' range is snapped to: PrometheusCacheLevel.Low, the default, is one minute."""
METRIC_LABEL = "__name__"
LEGACY_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:")
"""What a legacy Prometheus label name may start with (prometheus/common model IsValidLegacyMetricName)."""


@dataclass(frozen=True)
class Lookup:
    """One request to Prometheus' HTTP API (GET path with params) and how its answer's `data` becomes values."""

    path: str
    params: tuple[tuple[str, str], ...]
    reads: str
    """"strings" (a list of names or values), "series" (/api/v1/series), "result" (an instant query)."""
    drop: str = ""
    """A value left out of a list of names (`__name__` of label_names(m))."""


def query_text(variable: dict[str, Any]) -> str:
    """The variable's query as written: a string, or an object's `query`."""
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    return query if isinstance(query, str) else ""


def _snapped(start: float, end: float) -> tuple[tuple[str, str], ...]:
    first = math.ceil(start) // SNAP * SNAP
    last = math.ceil(math.ceil(end) / SNAP) * SNAP
    return ("start", str(first)), ("end", str(last if last != first else last + SNAP))


def _unquoted(label: str) -> str:
    """language_provider.ts removeQuotesIfExist: `"name"` is name."""
    quoted = re.fullmatch(r'\s*"(.*)"\s*', label)
    return quoted.group(1) if quoted else label


def _legacy(character: str, index: int) -> bool:
    return character in LEGACY_FIRST or (index > 0 and character.isascii() and character.isdigit())


def utf8_escaped(name: str) -> str:
    """utf8_support.ts escapeForUtf8Support: a label name of Prometheus' legacy characters (`[a-zA-Z_:][a-zA-Z0-9_:]*`)
    as it is, any other in the `U__` form Prometheus' API reads (`_` written `__`, another character `_<hex>_` of its
    code point, two lower-case hex digits below U+0100 and four below U+10000; one beyond U+FFFF is dropped, as
    Grafana's loop writes nothing for it)."""
    if METRIC_NAME.fullmatch(name):
        return name
    escaped = "U__"
    for index, character in enumerate(name):
        point = ord(character)
        if character == "_":
            escaped += "__"
        elif _legacy(character, index):
            escaped += character
        elif point < 0x100:
            escaped += f"_{point:02x}_"
        elif point < 0x10000:
            escaped += f"_{point:04x}_"
    return escaped


def lookup_for(query: str, start: float, end: float) -> Lookup | None:
    """The request a query (its variables filled in) makes over start..end; None for one that asks nothing."""
    snapped = _snapped(start, end)
    limit = (("limit", SERIES_LIMIT),)
    matching = LABEL_NAMES_MATCHING.fullmatch(query)
    if matching:
        return Lookup("/api/v1/labels", (*limit, *snapped, ("match[]", f'{{__name__=~".*{matching.group(1)}.*"}}')),
                      "strings", drop=METRIC_LABEL)
    if LABEL_NAMES.fullmatch(query):
        return Lookup("/api/v1/labels", (*limit, *snapped), "strings")
    values = LABEL_VALUES.fullmatch(query)
    if values:
        selector, label = values.groups()
        match = (("match[]", selector),) if selector and selector.replace(" ", "") != "{}" else ()
        path = f"/api/v1/label/{quote(utf8_escaped(_unquoted(label)), safe='')}/values"
        return Lookup(path, (*limit, *snapped, *match), "strings")
    metrics = METRICS.fullmatch(query)
    if metrics:
        return Lookup(f"/api/v1/label/{METRIC_LABEL}/values",
                      (*limit, *snapped, ("match[]", f'{{__name__=~"{metrics.group(1)}"}}')), "strings")
    result = QUERY_RESULT.fullmatch(query)
    if result:
        return Lookup("/api/v1/query", (("query", result.group(1)), ("time", str(math.ceil(end)))), "result")
    if not query or query in EMPTY_FORMS:
        return None
    return Lookup("/api/v1/series", (("match[]", query), ("start", str(math.ceil(start))),
                                     ("end", str(math.ceil(end)))), "series")


def _series_text(labels: dict[str, Any]) -> str:
    rest = ",".join(f'{key}="{value}"' for key, value in labels.items() if key != METRIC_LABEL)
    return f"{labels.get(METRIC_LABEL, '')}{{{rest}}}"


def _js_number(value: Any) -> str:
    """JavaScript's String() of a number read from JSON (a timestamp in milliseconds)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _result_texts(data: dict[str, Any]) -> list[str]:
    kind, result = data.get("resultType"), data.get("result")
    if kind in ("scalar", "string") and isinstance(result, list) and len(result) > 1:
        return [str(result[1] or "")]
    if kind != "vector" or not isinstance(result, list):
        raise ValueError(f"Unknown/Unhandled result type: [{kind}]")
    texts = []
    for item in result:
        time, value = item["value"]
        texts.append(f"{_series_text(item['metric'])} {value} {_js_number(float(time) * 1000)}")
    return texts


def found_texts(lookup: Lookup, data: Any) -> list[str]:
    """The texts of the values an answer's `data` holds (ValueError for an answer not of the shape asked)."""
    try:
        if lookup.reads == "result":
            return _result_texts(data)
        if not isinstance(data, list):
            return []  # BaseResourceClient.requestLabels: anything but an array is no values
        if lookup.reads == "series":
            return [_series_text(labels) for labels in data]
        return [str(item) for item in data if not (lookup.drop and str(item) == lookup.drop)]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"Prometheus' answer to {lookup.path} is not of the shape asked: {error}") from None
