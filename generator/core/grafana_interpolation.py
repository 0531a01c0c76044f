"""A template variable's value as Grafana 12's Prometheus data source writes it into a query.

grafana/grafana packages/grafana-prometheus/src/escaping.ts interpolateQueryExpr, without the
prometheusSpecialCharsInLabelValues feature toggle (off by default, and obsgen's grafana.ini leaves it off): a
variable neither multi nor includeAll gets prometheusRegularEscape, its backslashes doubled and `'` written `\\'`;
a multi or includeAll one gets prometheusSpecialRegexEscape on each value (one value from a link included), the
regex metacharacters `$^*{}[]+?.()|` escaped with two backslashes and a backslash written as four (one layer for the
PromQL string, one for RE2; `'` left as it is), one value bare and several as `(a|b)`.

`All` is what grafana/scenes' MultiValueVariable.getValue gives: the variable's allValue when it has one, written
as it is (CustomAllValue.formatter skips the escaping), else the values of all its options, escaped and joined as a
list of several values is: `(a|b|c)`, one option bare, none `()`. A custom variable's options are its query's
(scenes CustomVariable.transformCsvStringToOptions: comma-separated, `\\,` a comma inside one, `text : value` naming
the value; with valuesFormat "json", transformJsonToOptions: a JSON array of strings, or of objects' `value` and
`text`). A query variable's options come from its data source when the dashboard loads (preview/variables.py asks
the preview's Prometheus); without them (a query that failed, or where no Prometheus is asked: series_read) the
preview stands `.*` for them, which matches what every value of the label would, and also series without the label.

A format written after the variable's name (`${var:regex}`) writes instead what the variable holds
(grafana_formats.py): formatted's text carries it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any

from generator.core.grafana_formats import Holding, VariableText, alternatives

ALL_VALUE = "$__all"
ALL_TEXT = "All"
"""The text Grafana shows for ALL_VALUE (in the variables bar, and in a link: `var-<name>=All`)."""
REGEX_SPECIAL = re.compile(r"[$^*{}\[\]+?.()|]")
CSV_ITEM = re.compile(r"(?:\\,|[^,])+")
NAMED_VALUE = re.compile(r"\s*(.+)\s:\s(.+)")
"""An item naming its value (`text : value`), as fullmatch reads it: what named() finds, in linear time (the regex
splits leading blanks every way between `\\s*` and `(.+)`, and reads to the end from each ` : `: quadratic)."""
_SPACED_COLON = re.compile(r"(?<=\s):(?=\s)")
UNKNOWN_OPTIONS = ".*"
"""The preview's All for a variable whose options only its data source knows (a query variable)."""


def regular_escape(value: str) -> str:
    """prometheusRegularEscape: a single-value variable's value inside a PromQL string."""
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def special_regex_escape(value: str) -> str:
    """prometheusSpecialRegexEscape: one value of a multi-value variable, matched literally by `=~`."""
    return REGEX_SPECIAL.sub(lambda match: "\\\\" + match.group(), value.replace("\\", "\\\\\\\\"))


def _js_string(value: object) -> str:
    """JavaScript's String(value) for what JSON holds."""
    return value if isinstance(value, str) else json.dumps(value)


def _json_labelled(item: dict[str, Any]) -> tuple[str, str]:
    """An object's option: its label `text` (String(o.text || o.value): JavaScript's falsy ones give the value's)."""
    value = item.get("value", "undefined")
    label = value if item.get("text") in (None, "", 0) else item["text"]
    return _js_string(label).strip(), _js_string(value).strip()


def _json_options(query: str) -> list[tuple[str, str]]:
    try:
        items = json.loads(query)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser's recursion allows
        return []  # Grafana shows the variable's error; it has no options
    if not isinstance(items, list) or not items:
        return []
    if all(isinstance(item, str) for item in items):
        return [(item.strip(), item.strip()) for item in items]
    if all(isinstance(item, dict) for item in items):
        return [_json_labelled(item) for item in items]
    return []  # Grafana refuses a mixed array (its error, no options)


def custom_labelled_options(variable: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, value) of each option of a custom variable, in order: `text : value` names its text, else the text
    is the value."""
    query = str(variable.get("query") or "")
    if variable.get("valuesFormat") == "json":
        return _json_options(query)
    return [labelled_option(item.replace("\\,", ",")) for item in CSV_ITEM.findall(query)]


def labelled_option(item: str) -> tuple[str, str]:
    """(text, value) of one item of a custom variable's query, its `\\,` already a comma: `text : value` (a space
    each side of the last such colon) names its text, else the text is the value."""
    named = _named(item)
    return (named[0].strip(), named[1].strip()) if named else (item.strip(), item.strip())


def _named(item: str) -> tuple[str, str] | None:
    """NAMED_VALUE.fullmatch(item)'s two groups, or None. The value is what follows a ` : ` (a blank each side; `.`
    reads no newline, so after the last one); `\\s*` takes the most leading blanks it can, then the text the longest
    run up to a ` : ` without a newline."""
    after_newline = item.rfind("\n") - 1
    colons = [match.start() for match in _SPACED_COLON.finditer(item, max(after_newline, 0))
              if after_newline <= match.start() < len(item) - 2]
    if not colons:
        return None
    blanks = len(item) - len(item.lstrip())
    newline = item.find("\n", blanks) % (len(item) + 1)  # the first newline the text meets, or len(item)
    for start in range(blanks, -1, -1):
        newline = start if item[start:start + 1] == "\n" else newline
        colon = colons[bisect_right(colons, newline + 1) - 1] if colons[0] <= newline + 1 else -1
        if colon >= start + 2:
            return item[start:colon - 1], item[colon + 2:]
    return None


def custom_options(variable: dict[str, Any]) -> list[str]:
    """The values of a custom variable's options, in order."""
    return [value for _, value in custom_labelled_options(variable)]


def _joined(values: list[str]) -> str:
    """Values of a multi or includeAll variable: each escaped, one bare, several (or none) as `(a|b)`."""
    return alternatives(values, special_regex_escape)


def _all_holds(variable: dict[str, Any], options: list[str] | None) -> str | list[str]:
    """What All holds (MultiValueVariable.getValue): the custom all value, written as it is; `.*`, as one, while a
    query variable's options are not known (options None); else every option's value, a list."""
    if variable.get("allValue"):
        return str(variable["allValue"])
    if options is None and variable.get("type") != "custom":
        return UNKNOWN_OPTIONS
    return list(custom_options(variable) if options is None else options)


def all_value(variable: dict[str, Any], options: list[str] | None = None) -> str:
    """The text `All` writes into a query: the custom all value unescaped, else every option's value (a query
    variable's options as its query found them; None: not known)."""
    held = _all_holds(variable, options)
    return held if isinstance(held, str) else _joined(held)


def _escaped(variable: dict[str, Any], values: list[str], options: list[str] | None) -> str:
    if values == [ALL_VALUE]:
        return all_value(variable, options)
    if not variable.get("multi") and not variable.get("includeAll"):
        return regular_escape(values[0] if values else "")
    return _joined(values)


def holding(variable: dict[str, Any], values: list[str], options: list[str] | None = None,
            texts: list[str] | None = None) -> Holding:
    """What the variable holds at these values, as a format reads it (grafana_formats): All its custom all value,
    else its options' values (`.*`, as a custom all value, while a query variable's are unknown); a multi-value
    variable a list, any other its one value; texts the values' texts (the values themselves when not given)."""
    name, multi = str(variable.get("name") or ""), bool(variable.get("multi"))
    synced = variable.get("type") != "constant" and not variable.get("skipUrlSync")
    if values == [ALL_VALUE]:
        held = _all_holds(variable, options)
        return Holding(name, held, ALL_TEXT, held if isinstance(held, str) else None, ALL_VALUE if synced else None)
    shown = values if texts is None else texts
    value: str | list[str] = list(values) if multi else (values[0] if values else "")
    text = " + ".join(map(str, shown)) if multi else (str(shown[0]) if shown else "")
    return Holding(name, value, text, url=value if synced else None)


def formatted(variable: dict[str, Any], values: list[str], options: list[str] | None = None,
              texts: list[str] | None = None) -> VariableText:
    """The text that replaces $<name> in a query (interpolateQueryExpr) for the variable at these values (options:
    a query variable's, for All; texts: the values' texts), holding what `${<name>:<format>}` writes."""
    return VariableText(_escaped(variable, values, options), holding(variable, values, options, texts))
