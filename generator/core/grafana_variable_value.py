"""The value a template variable takes when its dashboard opens, as grafana/scenes gives it, from its options.

The value (MultiValueVariable.getStateUpdateGivenNewOptions): Grafana 12 makes `defaultToAll` of a dashboard
variable's includeAll (dashboard-scene createSceneVariableFromVariableModel) and starts from its `current` (`''`
without one). No options: All with includeAll, else none. A current All stays All with includeAll, else becomes the
first option. A multi variable keeps those of its current values that are options; none left: All with
includeAll, else the first option. A single one keeps the option whose value (else text) is its current; else All
with includeAll, else the first option. A value from a link is kept as it is (skipNextValidation).

The variables without a data source take theirs when the dashboard is built (dashboard-scene
createSceneVariableFromVariableModel): a custom one is validated, as above, against the options its query lists,
each with its text (grafana_interpolation.custom_labelled_options: `${var:text}` writes it); a textbox holds its
`current` value (the first of a list), or its `query` (the default text) when that is empty; a constant always its
`query`, whatever its saved current. An interval variable at `auto` stands for the span scenes' IntervalVariable
computes from the time range (rangeUtil.calculateInterval(range, auto_count, auto_min)); with no range here, its
auto_min, the shortest it picks. A query variable's options are its data source's (preview/variables.py): until
they are known, `All` stands for them (grafana_interpolation.all_value).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from generator.core.dashboard_variables import template_variables
from generator.core.grafana_interpolation import ALL_TEXT, ALL_VALUE, all_value, custom_labelled_options, formatted

Value = str | list[str]
AUTO_INTERVAL = "$__auto"
"""An interval variable's value at `auto` (`$__auto_interval_<name>` in a saved dashboard; scenes' `$__auto`)."""
DEFAULT_AUTO_MIN = "10s"
"""Grafana's shortest span `auto` picks when the variable names none."""


class Option(NamedTuple):
    """One option of a variable: the text its picker shows, the value its queries get."""

    text: str
    value: str


def has_all(value: object) -> bool:
    """MultiValueVariable.hasAllValue: $__all, or a list starting with it."""
    return value == ALL_VALUE or (isinstance(value, list) and bool(value) and value[0] == ALL_VALUE)


def picked(value: object) -> list[str]:
    """The values a variable's value stands for, as grafana_interpolation.formatted takes them: [$__all] for All, a
    list as it is, one value as a list of one."""
    return [ALL_VALUE] if has_all(value) else (value if isinstance(value, list) else [str(value)])


def _first(options: list[Option], multi: bool) -> tuple[Value, Value]:
    return ([options[0].value], [options[0].text]) if multi else (options[0].value, options[0].text)


def _all(multi: bool) -> tuple[Value, Value]:
    return ([ALL_VALUE], [ALL_TEXT]) if multi else (ALL_VALUE, ALL_TEXT)


def validated(variable: dict[str, Any], options: list[Option]) -> tuple[Value, Value]:
    """(value, text) the variable takes once its options are known, from its current value."""
    current = variable.get("current") or {}
    value, text = current.get("value"), current.get("text")
    value, text = ("" if value is None else value), ("" if text is None else text)
    include_all, multi = bool(variable.get("includeAll")), bool(variable.get("multi"))
    if not options:
        return (ALL_VALUE, ALL_TEXT) if include_all else (([], []) if multi else ("", ""))
    if has_all(value):
        return (value, ALL_TEXT) if include_all else _first(options, multi)
    if multi:
        valid = [v for v in (value if isinstance(value, list) else [value]) if any(o.value == v for o in options)]
        if not valid:
            return _all(True) if include_all else _first(options, True)
        return valid, [next(o.text for o in options if o.value == v) for v in valid]
    by_text = [o for o in options if o.text == text]
    match = next((o for o in options if o.value == value), by_text[-1] if by_text else None)
    if match:
        return match.value, match.text
    return (ALL_VALUE, ALL_TEXT) if include_all else _first(options, False)


def opening_value(variable: dict[str, Any]) -> str:
    """The text that replaces $<name> in a query when the dashboard opens, before any query variable's query ran."""
    kind = variable.get("type")
    current = (variable.get("current") or {}).get("value")
    if kind == "query":
        return formatted(variable, [ALL_VALUE])
    if kind == "constant":
        return formatted(variable, [str(variable.get("query") or "")])
    if kind == "textbox":
        typed = current[0] if isinstance(current, list) and current else current
        return formatted(variable, [str(typed or variable.get("query") or "")])
    if kind == "interval" and str(current).startswith(AUTO_INTERVAL):
        return str(variable.get("auto_min") or DEFAULT_AUTO_MIN)
    if kind == "custom":
        options = [Option(*labelled) for labelled in custom_labelled_options(variable)]
        value, text = validated(variable, options)
        return formatted(variable, picked(value), [option.value for option in options], picked(text))
    if current in (None, "", [], ALL_VALUE, [ALL_VALUE]):
        return all_value(variable)
    return str(current[0] if isinstance(current, list) else current)


def opening_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """opening_value of each of a dashboard's template variables, by name: the lint's values and the preview's
    defaults."""
    return {variable["name"]: opening_value(variable) for variable in template_variables(dashboard)}
