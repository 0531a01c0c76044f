"""A dashboard's query variables given values as Grafana 12 gives them when the dashboard opens: each one's query
run against the preview's Prometheus over the dashboard's time range (or the link's), its options made, its value
chosen, and the value written into the panels' queries.

grafana/scenes QueryVariable.getRequest asks over the time range of the scene (sceneGraph.getTimeRange), whatever
the variable's `refresh` (which only says when it asks again: on load, or on each time range change); the data
source fills the variables in its query as in a panel's (variables.ts, interpolateQueryExpr), with `$__interval` its
scrape interval and the range's `$__range`. SceneVariableSet updates a variable once no variable its query or
regex names is still being updated: here, in the dashboard's order, each waiting for the query variables it names
that come later. A query variable's value is then chosen as core/grafana_variable_value.validated says, or kept as
a link gave it; `All` without a custom all value is its options' values (core/grafana_interpolation.py).

When (grafana/scenes SceneVariableSet): on load every query variable runs its query whatever its `refresh`
(_onActivate queues each variable that has validateAndUpdate without reading refresh, and QueryVariable has no branch
for "never"; Grafana's DashboardMigrator at schemaVersion 29 also turns a query variable's refresh other than 1 or 2
into 1 and clears its saved options, and no scene seeds a query variable's options from the saved ones: grafana PR
#131837). A saved refresh 0 (never) or none is thus "on dashboard load", its saved `options` unused. Then each time
range change, which every auto-refresh is (SceneTimeRange.onRefresh sets a new value even for an absolute range),
runs the refresh=2 ("on time range change") variables again (_refreshTimeRangeBasedVariables), starting from the
value the variable holds; a variable whose value that changes makes the variables naming it run again too
(_addDependentVariablesToUpdateQueue), whatever their refresh. resolve's `rerun` says which run on such a refresh.

A variable the query or the regex names that the dashboard lacks stays in it as written, as Grafana leaves it
(scenes' sceneInterpolator returns the match for a variable it does not find; variable_options.py for the regex):
the query goes to Prometheus with `$x` in it, whose answer (values, none, or an error) is what Grafana gets too; the
page notes the variable. A query that fails (Prometheus' error, an answer not read, a regex that is not one) is a
note on the page; that variable keeps the value the preview gave it without its options (`.*` for All), as before.
A query variable of another data source (its datasource's type not prometheus) keeps that value too, unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.dashboard_variables import template_variables, with_variables
from generator.core.grafana_interpolation import formatted
from generator.core.grafana_promql import builtin_values, interpolate, time_values, variable_names
from generator.core.grafana_variable_value import picked, validated
from generator.preview.dashboard_time import Window, dashboard_window
from generator.preview.prometheus import LookupFailed, Prometheus
from generator.preview.source import DashboardFile
from generator.preview.variable_options import variable_options
from generator.preview.variable_query import found_texts, lookup_for, query_text


@dataclass(frozen=True)
class Resolved:
    """The dashboard with its query variables' chosen values in its variables bar, the text each variable puts in
    a query, and a note for each variable whose query failed."""

    dashboard: DashboardFile
    values: dict[str, str]
    notes: tuple[str, ...] = ()


def _named(variable: dict[str, Any]) -> set[str]:
    """The variables a query variable's query or regex names: those it waits for, and runs again after (scenes'
    QueryVariable VariableDependencyConfig: statePaths regex, query, datasource)."""
    return variable_names(query_text(variable)) | _regex_names(variable)


def _regex_names(variable: dict[str, Any]) -> set[str]:
    """The variables a query variable's regex names."""
    return variable_names(str(variable.get("regex") or ""))


def _asks_prometheus(variable: dict[str, Any]) -> bool:
    """A query variable of a Prometheus data source (one the dashboard names by type as another, Loki's, is not
    the preview's to ask; a name or uid alone is taken for the Prometheus obsgen provisions)."""
    source = variable.get("datasource")
    kind = source.get("type") if isinstance(source, dict) else None
    return variable.get("type") == "query" and kind in (None, "prometheus")


def _order(variables: list[dict[str, Any]]) -> list[int]:
    """Indexes of the Prometheus query variables in the order their queries run: the first whose query names no
    query variable still waiting (the first waiting, if they all wait on each other)."""
    waiting = [i for i, variable in enumerate(variables) if _asks_prometheus(variable)]
    needs = {i: _named(variables[i]) - {variables[i].get("name")} for i in waiting}
    order = []
    while waiting:
        names = {variables[i].get("name") for i in waiting}
        ready = next((i for i in waiting if not needs[i] & names), waiting[0])
        order.append(ready)
        waiting.remove(ready)
    return order


ON_TIME_RANGE_CHANGE = 2
"""A query variable's `refresh` that runs its query again on each time range change (VariableRefresh)."""


def on_time_range_change(dashboard: DashboardFile) -> frozenset[str]:
    """The query variables a time range change (an auto-refresh) runs again: refresh 2."""
    return frozenset(str(variable.get("name")) for variable in template_variables(dashboard.document)
                     if variable.get("refresh") == ON_TIME_RANGE_CHANGE)


def _chosen(variable: dict[str, Any]) -> object:
    return (variable.get("current") or {}).get("value")


def resolve(prometheus: Prometheus, dashboard: DashboardFile, values: dict[str, str], pinned: frozenset[str],
            window: Window | None, now: float, scrape: float, rerun: frozenset[str] | None = None) -> Resolved:
    """The dashboard's query variables resolved at time now over window (None: the dashboard's own range); values
    are every variable's without options (variable_defaults, or a link's: linked.py), pinned the names a link set.
    rerun None is a load (every query variable runs); else only those named, and those naming a variable whose value
    running changed, run again: the others keep their value in values and the dashboard's `current`."""
    variables = template_variables(dashboard.document)
    shown = window or dashboard_window(dashboard.document, now)[0]
    start, end = shown.start, shown.end
    builtins = {**builtin_values(end - start, scrape, scrape), **time_values(start, end)}
    resolved, notes, changed = dict(values), list[str](), set[str]()
    for index in _order(variables):
        variable = variables[index]
        name = str(variable.get("name"))
        if rerun is not None and name not in rerun and not _named(variable) & changed:
            continue
        known, query = {**resolved, **builtins}, query_text(variable)
        notes.extend(f"Variable {name}: its query names ${lacking}, which the dashboard lacks: Grafana sends it as "
                     "written." for lacking in sorted(variable_names(query) - known.keys()))
        try:
            lookup = lookup_for(interpolate(query, known, keep_unknown=True), start, end)
            found = found_texts(lookup, prometheus.metadata(lookup.path, lookup.params)) if lookup else []
            options = variable_options(found, variable, known)
            notes.extend(f"Variable {name}: its regex names ${lacking}, which the dashboard lacks: Grafana runs the "
                         "regex with it as written." for lacking in sorted(_regex_names(variable) - known.keys()))
        except (LookupFailed, ValueError) as error:
            notes.append(f"Variable {name}: its query failed ({error}); the panels use its value without its "
                         "options (All as .*, or its custom all value).")
            continue
        if name in pinned:
            current = variable.get("current") or {}
            value, text = current.get("value", ""), current.get("text", "")
        else:
            value, text = validated(variable, options)
            variables[index] = {**variable, "current": {"text": text, "value": value}}
            if value != _chosen(variable):
                changed.add(name)
        resolved[name] = formatted(variable, picked(value), [option.value for option in options], picked(text))
    document = with_variables(dashboard.document, variables)
    return Resolved(DashboardFile(dashboard.path, dashboard.folder, document), resolved, tuple(notes))
