"""A template variable's Grafana JSON, made from its model: what a dashboard's `templating` list holds
(targets/grafana.py writes it), and what derive/dashboards.py reads a variable's opening value from
(core/grafana_variable_value.opening_value, the reader the lint and the preview share)."""

from __future__ import annotations

from typing import Any

from generator.core.grafana_interpolation import labelled_option
from generator.core.verbatim import merge
from generator.model import DatasourceVariable, IntervalVariable, QueryVariable, VerbatimVariable
from generator.model.dashboards import Variable

PROMETHEUS_UID_VARIABLE = "${datasource}"
DATASOURCE = {"type": "prometheus", "uid": PROMETHEUS_UID_VARIABLE}
"""The data source a query names: the dashboard's `datasource` variable."""


def _options(values: tuple[str, ...], selected: str) -> list[dict[str, Any]]:
    return [{"text": value, "value": value, "selected": value == selected} for value in values]


def _interval(variable: IntervalVariable, common: dict[str, Any]) -> dict[str, Any]:
    auto = f"$__auto_interval_{variable.name}"
    selected = {"text": variable.selected, "value": auto if variable.selected == "auto" else variable.selected}
    options = _options(variable.options, variable.selected)
    if variable.auto:
        options.insert(0, {"text": "auto", "value": auto, "selected": variable.selected == "auto"})
    return {"type": "interval", **common, "query": ",".join(variable.options), "current": selected,
            "options": options, "auto": variable.auto, "auto_count": variable.auto_count,
            "auto_min": variable.auto_min, "refresh": 2}


def variable_json(variable: Variable) -> dict[str, Any]:
    """A template variable, with the JSON it keeps verbatim written over it."""
    if isinstance(variable, VerbatimVariable):
        return variable.document
    common: dict[str, Any] = {"name": variable.name, "label": variable.label or variable.name, "hide": 0,
                              "skipUrlSync": False}
    if isinstance(variable, DatasourceVariable):
        document = {"type": "datasource", **common, "query": variable.type, "regex": "", "refresh": 1,
                    "current": {"text": variable.default, "value": variable.default},
                    "options": [], "multi": False, "includeAll": False}
    elif isinstance(variable, QueryVariable):
        current = ({"text": ["All"], "value": ["$__all"]} if variable.include_all else {"text": [], "value": []})
        document = {"type": "query", **common, "datasource": DATASOURCE, "query": variable.query,
                    "definition": variable.query, "refresh": 2, "sort": 1, "regex": variable.regex,
                    "multi": variable.multi, "includeAll": variable.include_all,
                    # no allValue: 'All' sends every value the variable offers
                    **({"allValue": variable.all_value} if variable.all_value is not None else {}),
                    "current": current, "options": []}
    elif isinstance(variable, IntervalVariable):
        document = _interval(variable, common)
    else:
        # Grafana splits each `text : value` item (labelled_option), and $name is its value
        text, value = labelled_option(variable.selected)
        query = ",".join(item.replace(",", "\\,") for item in variable.options)  # `\,`: a comma in an item
        document = {"type": "custom", **common, "query": query,
                    "current": {"text": text, "value": value},
                    "options": [{"text": shown, "value": sent, "selected": item == variable.selected}
                                for item in variable.options for shown, sent in [labelled_option(item)]],
                    "multi": variable.multi, "includeAll": False}
    return merge(document, variable.extra)
