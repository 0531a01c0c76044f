"""A dashboard as a Grafana link opens it: over the link's time range, its variables at the link's values.

obsgen's own links (derive/dashboards.py: notification buttons, email footers, runbooks) carry `viewPanel` and
`var-<name>=<the alert's label>` for each variable the panel uses that the alert's series carry (the operations
dashboard's `var-instance`); a link pasted from Grafana carries `from`/`to` too. A value from the link overrides the
variable's default; a name the dashboard has no variable for is ignored, as Grafana ignores it.

`All`, `$__all` or the variable's custom all value selects All (scenes' MultiValueUrlSyncHandler.updateFromUrl,
handleLegacyUrlAllValue). Values enter PromQL as Grafana's Prometheus data source writes them
(core/grafana_interpolation.py); a query variable's All, and the query variables the link leaves alone, once
variables.py has run their queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.dashboard_variables import template_variables, with_variables
from generator.core.grafana_interpolation import ALL_TEXT, ALL_VALUE, custom_labelled_options, formatted
from generator.preview.dashboard_time import Window, clock, own_range, window_of
from generator.preview.dashboard_time import range_text as described
from generator.preview.page import range_text
from generator.preview.source import DashboardFile
from generator.preview.view import Address

LINKED_TYPES = ("query", "custom", "textbox", "interval")
"""Variables whose value a link sets (constants and data sources are not the link's to choose here)."""


def chosen(variable: dict[str, Any], values: tuple[str, ...]) -> list[str]:
    """The variable's value list once Grafana has read it from the link (MultiValueUrlSyncHandler.updateFromUrl):
    with includeAll, `All` first is All whatever follows (handleLegacyUrlAllValue); one value that is the custom all
    value is All; then, of several (changeValueTo), $__all last is All, and $__all first beside others is dropped."""
    picked = list(values)
    if variable.get("includeAll") and picked[0] == ALL_TEXT:
        picked = [ALL_VALUE]
    if variable.get("allValue") and picked == [variable["allValue"]]:
        picked = [ALL_VALUE]
    if picked[-1] == ALL_VALUE:
        return [ALL_VALUE]
    if picked[0] == ALL_VALUE:
        picked = picked[1:]
    return picked if variable.get("multi") else picked[:1]


def labelled(variable: dict[str, Any], picked: list[str]) -> tuple[list[str], list[str]]:
    """The values a link's `var-<name>` gives and their texts, as scenes reads them (changeValueTo ->
    findLabelTextForValue: the text of the option of that value, else of the option of that text, else the value
    itself). A single-value variable given an option's text takes that option's value once its options are checked
    (findOptionMatchingCurrent: value first, else the last option of that text); a multi-value one keeps what the
    link gave, and its texts too unless every value is an option's (getStateUpdateGivenNewOptions writes the
    options' texts, which interceptStateUpdateAfterValidation keeps only when the values stay as they were: the
    link's texts are its values, the variable having no options when the URL is read). Only a custom variable's
    options have texts of their own here."""
    options = custom_labelled_options(variable) if variable.get("type") == "custom" else []
    text_of = {ALL_VALUE: ALL_TEXT, **{option: text for text, option in reversed(options)}}  # the first option wins
    if variable.get("multi") and not all(value in text_of for value in picked):
        return picked, list(picked)
    texts = [text_of.get(value, value) for value in picked]  # an option's text, or no option's: the value itself
    if not variable.get("multi") and picked[0] not in text_of:
        picked = [next((option for text, option in reversed(options) if text == picked[0]), picked[0])]
    return picked, texts


@dataclass(frozen=True)
class Linked:
    """What a link makes of a dashboard: the dashboard showing the link's values in its variables bar, the values
    its queries use, the range they run over (None: the dashboard's own), the time picker's text, and a note on a
    range not drawn."""

    dashboard: DashboardFile
    variables: dict[str, str]
    window: Window | None
    range_text: str
    note: str = ""
    pinned: frozenset[str] = frozenset()
    """The variables whose value the link set: Grafana keeps them whatever their options (skipNextValidation)."""


def _with_values(dashboard: DashboardFile, asked: Address) -> tuple[DashboardFile, dict[str, str], frozenset[str]]:
    given = dict(asked.variables)
    values = dashboard.variable_defaults()
    if not given:
        return dashboard, values, frozenset()
    shown, pinned = [], set[str]()
    for variable in template_variables(dashboard.document):
        name = variable.get("name")
        if name in given and variable.get("type") in LINKED_TYPES and not variable.get("skipUrlSync"):
            picked, text = labelled(variable, chosen(variable, given[name]))
            values[name] = formatted(variable, picked, texts=text)
            current = {"text": text, "value": picked} if variable.get("multi") else {"text": text[0],
                                                                                      "value": picked[0]}
            variable = {**variable, "current": current}
            pinned.add(name)
        shown.append(variable)
    document = with_variables(dashboard.document, shown)
    return DashboardFile(dashboard.path, dashboard.folder, document), values, frozenset(pinned)


def linked(dashboard: DashboardFile, asked: Address, now: float) -> Linked:
    """The dashboard as the link asks for it at time now; a bad from/to leaves the dashboard's own range, noted."""
    shown, values, pinned = _with_values(dashboard, asked)
    if not asked.time_from and not asked.time_to:
        return Linked(shown, values, None, range_text(dashboard, now), pinned=pinned)
    own_from, own_to, _ = own_range(dashboard.document, now)  # one end given: the other as the dashboard keeps it
    start_text, end_text = asked.time_from or own_from, asked.time_to or own_to
    at = clock(dashboard.document)[0]
    try:
        window = window_of(start_text, end_text, now, at)
    except ValueError as error:
        return Linked(shown, values, None, range_text(dashboard, now),
                      f"Time range not applied: {error}; the dashboard's own range is shown", pinned)
    return Linked(shown, values, window, described(start_text, end_text, at, now), pinned=pinned)
