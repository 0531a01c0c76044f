"""The SLO overview dashboard: one row per SLO with its objective, SLI, error budget and burn rates.

Panel titles name their SLO because a dashboard's panel ids derive from titles and must be unique.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.derive.firing_count import heartbeat_names_of, none_firing
from generator.derive.slo.absent import absent_for, watched
from generator.derive.slo.rules import BASE_WINDOW, DASHBOARD
from generator.model import Metric
from generator.model.conventions import NOT_ESCALATION
from generator.model.dashboards import Dashboard
from generator.model.panels import Panel, PanelKind, Query, Row, Threshold, ValueText
from generator.model.sli import parse_selector
from generator.model.slo import SLO, number

Step = tuple[float | None, str]  # (lower bound or None for the base, colour)
BUDGET_STEPS: tuple[Step, ...] = ((None, "red"), (0.0, "orange"), (0.25, "yellow"), (0.5, "green"))
URGENCY_COLOURS = {"ticket": "orange", "page": "red"}
UNWATCHED = 2
"""The SLI inputs panel's value for an input the absent alert does not watch while it has no series (1: ABSENT)."""
FIRST_EVENT = "created at first event"
NEUTRAL = "text"
"""Grafana's theme text colour: grey, neither healthy green nor failing red."""


def _thresholds(steps: Sequence[Step]) -> tuple[Threshold, ...]:
    return tuple(Threshold(value=value, color=color) for value, color in steps)


def _percent_decimals(objective: float) -> int:
    """Decimals that show the objective exactly as a percentage: 99.9 -> 1, 99.95 -> 2, 99 -> 0."""
    text = number(objective)
    return len(text.split(".")[1]) if "." in text else 0


def _stat(title: str, description: str, expr: str, unit: str, decimals: int, thresholds: Sequence[Step] = (),
          value_texts: tuple[ValueText, ...] = ()) -> Panel:
    return Panel(title=title, kind=PanelKind.STAT, description=description, queries=(Query(expr=expr, instant=True),),
                 unit=unit, width=4, decimals=decimals, thresholds=_thresholds(thresholds), value_texts=value_texts)


def alerts_selector(slo: SLO) -> str:
    """ALERTS of the SLO's burn-rate alerts firing, each once (not again for each escalation level it reached)."""
    names = "|".join(slo.alert(burn) for burn in slo.alerting.windows)
    return f'ALERTS{{alertname=~"{names}",alertstate="firing",{NOT_ESCALATION}}}'


def inputs_panel(slo: SLO, families: Mapping[str, Metric]) -> Panel:
    """Per SLI input, as its absent alert reads it: 1 (ABSENT, red) while an input the alert watches (`watched`: it
    exists from its exporter's start) selects no series, the burn rates then blank, not low; 0 while it is there,
    quiet nights included. An input created at its first event, which no alert watches, reads UNWATCHED (none yet,
    grey) while it has none, as after every quiet restart (families: series name -> its declared Metric)."""
    watching = watched(slo, families)
    lazy = [text for text in slo.sli.inputs() if text not in watching]
    queries = tuple(Query(expr=f"max(absent({text}) or vector(0))", legend=parse_selector(text).name)
                    if text in watching else
                    Query(expr=f"{UNWATCHED} * max(absent({text}) or vector(0))",
                          legend=f"{parse_selector(text).name} ({FIRST_EVENT})")
                    for text in slo.sli.inputs())
    pages = (f"{slo.absent_alert} pages after {absent_for(slo.alerting.windows)}" if slo.alerting.absent else
             "no alert pages (absent=False)")
    told = (f"ABSENT (red) while an input that exists from its exporter's start has no series: the SLI is not "
            f"measured, its burn-rate alerts cannot fire, and {pages}. " if watching else "")
    if lazy:
        told += (f"Inputs marked '{FIRST_EVENT}' ({'; '.join(lazy)}) have no series from each start of their "
                 "exporter until their first event, after every quiet restart too, so no alert watches them: 'none "
                 "yet' (grey) there is no outage. ")
    return Panel(title="SLI inputs absent", kind=PanelKind.STATE_TIMELINE,
                 description=told + "A quiet night stays present (its counters stay, flat).",
                 queries=queries, unit="none", width=8, thresholds=_thresholds(((None, "green"), (1.0, "red"))),
                 value_texts=(ValueText(value="0", text="present", color="green"),
                              ValueText(value="1", text="ABSENT", color="red"),
                              *((ValueText(value=str(UNWATCHED), text="none yet", color=NEUTRAL),) if lazy else ())))


def slo_row(slo: SLO, families: Mapping[str, Metric], heartbeats: Sequence[str] = ()) -> Row:
    """Objective, SLI now and over the window, budget left, burn rates per window and alert state of one SLO (its
    burn alerts counted 0 while one of the heartbeat alerts fires, see derive/firing_count.py)."""
    decimals = _percent_decimals(slo.objective)
    good = ((None, "red"), (slo.target, "green"))
    budget = number(slo.budget)
    windows = sorted({w for burn in slo.alerting.windows for w in (burn.long, burn.short)},
                     key=lambda w: slo.ratio_windows.index(w))
    burn_steps = ((None, "green"), *sorted({(burn.factor(slo.window), URGENCY_COLOURS[burn.urgency])
                                            for burn in slo.alerting.windows}))
    remaining = f"1 - {slo.error_ratio_shown(slo.window)} / {budget}"  # the rule's, but 100% before any failure
    none, said = none_firing(heartbeats)
    told_none = f", {said}" if said else ""
    panels = (
        _stat("Objective", f"{slo.description}: share of good events promised over {slo.window}.",
              slo.record("objective", "ratio"), "percentunit", decimals=decimals),  # 99.9%, as promised
        _stat(f"SLI ({BASE_WINDOW})", f"Share of good events over the last {BASE_WINDOW} ({slo.sli.describe()}).",
              f"1 - {slo.error_ratio_shown(BASE_WINDOW)}", "percentunit", decimals=decimals + 2, thresholds=good),
        _stat(f"SLI ({slo.window})", "Share of good events over the SLO window, weighted by traffic.",
              f"1 - {slo.error_ratio_shown(slo.window)}", "percentunit", decimals=decimals + 2, thresholds=good),
        _stat("Error budget left", f"Share of the {slo.window} error budget not spent yet; negative once overspent.",
              remaining, "percentunit", decimals=1, thresholds=BUDGET_STEPS),
        _stat(f"Burn rate ({BASE_WINDOW})", f"Error rate over the last {BASE_WINDOW} as a multiple of the rate "
              f"that spends the budget exactly over {slo.window}.", f"{slo.error_ratio_shown(BASE_WINDOW)} / {budget}",
              "none", decimals=2, thresholds=burn_steps),
        _stat("Burn alerts firing", f"How many of the SLO's burn-rate alerts fire now (0 when none{told_none}).",
              f"count({alerts_selector(slo)}) or {none}", "none", decimals=0,
              thresholds=((None, "green"), (1.0, "red")),
              value_texts=(ValueText(value="0", text="none", color="green"),)),
        Panel(title=f"Error budget left over {slo.window}", kind=PanelKind.TIMESERIES,
              description="How the budget was spent across the window: a falling line is a burn.",
              queries=(Query(expr=remaining, legend="budget left"),), unit="percentunit", width=8,
              decimals=1, max=1.0, thresholds=_thresholds(BUDGET_STEPS), time_range=slo.window),
        Panel(title="Burn rate per window", kind=PanelKind.TIMESERIES,
              description="Each alert window's error ratio over the budget; an alert fires when both its "
                          "long and short window cross its threshold line (the axis reaches past the highest, so "
                          "each line shows on a normal day, far above a burn under 1).",
              queries=tuple(Query(expr=f"{slo.error_ratio_shown(w)} / {budget}", legend=w) for w in windows),
              unit="none", width=8, decimals=1, min=0.0, thresholds=_thresholds(burn_steps),
              soft_max=max(step for step, _ in burn_steps if step is not None) * 1.25),  # every line in view
        inputs_panel(slo, families),
    )
    what = f"{slo.service} {slo.name}"
    return Row(title=f"{what}: {number(slo.objective)}% over {slo.window}",
               panels=tuple(panel.model_copy(update={"title": f"{panel.title} ({what})"}) for panel in panels))


def overview(slos: list[SLO], families: Mapping[str, Metric], heartbeats: Sequence[str] = ()) -> Dashboard:
    """The SLO overview dashboard: one row per SLO, in definition order, located at the first SLO (families: series
    name -> its declared Metric; heartbeats: the always-firing alerts' names)."""
    board = Dashboard(
        name=DASHBOARD, tags=("slo", "obsgen"), time_range="7d", refresh="1m",
        description="Every service-level objective: objective, SLI, error budget left, burn rates and alerts.",
        rows=tuple(slo_row(slo, families, heartbeats) for slo in slos),
    )
    board._location = slos[0].location
    return board


def slo_dashboards(objects: Sequence[object], families: Mapping[str, Metric]) -> list[Dashboard]:
    """The generated SLO overview, when SLOs are declared and no dashboard of that name is (families: series name
    -> its declared Metric)."""
    slos = [obj for obj in objects if isinstance(obj, SLO)]
    if not slos or any(isinstance(obj, Dashboard) and obj.name == DASHBOARD for obj in objects):
        return []
    return [overview(slos, families, heartbeat_names_of(objects))]
