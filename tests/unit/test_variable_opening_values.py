"""The lint and the preview read the value a template variable opens at alike (core/grafana_variable_value
.opening_value): a custom, constant or textbox variable's as Grafana 12 builds it, a query variable's All as `.*`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.checks.lint import gd009_window_samples
from generator.checks.lint.dashboard_json import LINT_BUILTINS, LintContext, variable_values
from generator.checks.lint.rule_evaluation import Recorded
from generator.core.grafana_variable_value import opening_value
from generator.preview.source import DashboardFile

VARIABLES: list[dict[str, Any]] = [
    {"name": "custom_unsaved", "type": "custom", "query": "1m,5m"},  # no current: the first option
    {"name": "custom_gone", "type": "custom", "query": "a,b", "current": {"value": "c", "text": "c"}},
    {"name": "custom_all", "type": "custom", "query": "a,b", "includeAll": True, "current": {"value": "$__all"}},
    {"name": "constant", "type": "constant", "query": "prod", "current": {"value": "stale"}},
    {"name": "textbox", "type": "textbox", "query": "default", "current": {"value": ""}},
    {"name": "escaped", "type": "textbox", "query": "", "current": {"value": "it's"}},
    {"name": "asked", "type": "query", "query": "label_values(job)", "current": {"value": "api"}},
]


@pytest.mark.parametrize("variable", VARIABLES, ids=[v["name"] for v in VARIABLES])
def test_the_lint_reads_the_value_the_preview_opens_at(variable: dict[str, Any]) -> None:
    values = variable_values({"templating": {"list": [variable]}})
    assert values[variable["name"]] == opening_value(variable)


def test_the_opening_values_are_grafanas() -> None:
    values = variable_values({"templating": {"list": VARIABLES}})
    assert [values[v["name"]] for v in VARIABLES] == ["1m", "a", "(a|b)", "prod", "default", "it\\\\'s", ".*"]


def test_the_preview_opens_a_dashboard_at_the_values_the_lint_reads_besides_the_builtins() -> None:
    document = {"templating": {"list": VARIABLES}}
    defaults = DashboardFile(Path("d.json"), "", document).variable_defaults()
    assert variable_values(document) == {**LINT_BUILTINS, **defaults}


def test_gd009_reads_a_custom_min_interval_at_its_first_option() -> None:
    """A panel's min interval `$step`, a custom variable with no saved value: Grafana opens it at `1m`, a step at
    which a group evaluated every 5m leaves most windows of $__interval empty."""
    dashboard = {"templating": {"list": [VARIABLES[0] | {"name": "step"}]}, "panels": [
        {"id": 1, "type": "timeseries", "title": "T", "interval": "$step",
         "targets": [{"refId": "A", "expr": "avg_over_time(job:x:rate5m[$__interval])"}]}]}
    context = LintContext(recorded={"job:x:rate5m": Recorded("slow", "rules/x.yml", 300.0, True)})
    found = [message for _, message in gd009_window_samples.check(dashboard, context)]
    assert len(found) == 1 and "at Grafana's shortest step, 1m (the panel's min interval)" in found[0]


@pytest.mark.parametrize("variable", [
    {"query": "Production : prod, stg"},
    {"valuesFormat": "json", "query": '[{"text": "Production", "value": "prod"}, {"value": "stg"}]'},
], ids=["csv", "json"])
def test_a_custom_variables_text_is_its_options_text_not_its_value(variable: dict[str, Any]) -> None:
    """scenes CustomVariable makes each option's label of `text : value` (transformCsvStringToOptions) or of an
    object's `text` (transformJsonToOptions): `${env:text}` writes that label, as validated picks the option."""
    from generator.core.grafana_promql import interpolate

    custom = {"name": "env", "type": "custom", **variable}
    for current, text in (({"value": "prod", "text": "Production"}, "Production"),
                          ({"value": "stg", "text": "stg"}, "stg"), (None, "Production")):
        opened = opening_value(custom | ({"current": current} if current else {}))
        assert interpolate("${env:text}", {"env": opened}) == text
        assert interpolate("$env", {"env": opened}) == (current or {"value": "prod"})["value"]


def test_the_definitions_layer_reads_a_variables_opening_value_as_the_lint_and_the_preview_do() -> None:
    """derive/dashboards.values_of reads each variable from the JSON it is written as, with opening_value: a custom
    value escaped as Grafana's Prometheus data source sends it (prometheusRegularEscape, or prometheusSpecialRegexEscape
    for a multi-value one), a constant its query whatever its saved current; an interval at auto its auto_min."""
    from generator.derive.dashboards import values_of
    from generator.model import CustomVariable, IntervalVariable, VerbatimVariable

    values = values_of([
        CustomVariable(name="one", options=("it's", "b")),
        CustomVariable(name="many", options=("a.b", "c"), multi=True),
        IntervalVariable(name="step", options=("1m", "5m"), auto=True, default="auto", auto_min="30s"),
        VerbatimVariable(name="cluster", value="old", document={
            "type": "constant", "name": "cluster", "query": "eu", "current": {"text": "old", "value": "old"}})])
    assert {name: values[name] for name in ("one", "many", "step", "cluster")} == {
        "one": "it\\\\'s", "many": "a\\\\.b", "step": "30s", "cluster": "eu"}


def test_an_interval_at_auto_opens_at_its_auto_min_in_the_lint_too() -> None:
    """The lint read `$__auto_interval_step`, which no check parses, where the definitions layer read auto_min."""
    from generator.derive.variable_json import variable_json
    from generator.model import IntervalVariable

    step = variable_json(IntervalVariable(name="step", options=("1m",), auto=True, default="auto", auto_min="30s"))
    assert variable_values({"templating": {"list": [step]}})["step"] == "30s"
