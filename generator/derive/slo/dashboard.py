"""The SLO overview dashboard: one row per SLO with its objective, SLI, error budget and burn rates.

Panel titles name their SLO because a dashboard's panel ids derive from titles and must be unique.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.derive.slo.rules import BASE_WINDOW, DASHBOARD
from generator.model.conventions import NOT_ESCALATION
from generator.model.dashboards import Dashboard
from generator.model.panels import Panel, PanelKind, Query, Row, Threshold, ValueText
from generator.model.sli import parse_selector
from generator.model.slo import SLO, number

Step = tuple[float | None, str]  # (lower bound or None for the base, colour)
BUDGET_STEPS: tuple[Step, ...] = ((None, "red"), (0.0, "orange"), (0.25, "yellow"), (0.5, "green"))
URGENCY_COLOURS = {"ticket": "orange", "page": "red"}


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


def inputs_panel(slo: SLO) -> Panel:
    """1 while an SLI input selects no series, as its absent alert reads it (the burn rates are then blank, not low);
    0 while it is there, quiet nights included."""
    return Panel(title="SLI inputs absent", kind=PanelKind.STATE_TIMELINE,
                 description="ABSENT while an input the SLI reads has no series: the SLI is not measured and its "
                             "burn-rate alerts cannot fire. A quiet night stays present (its counters stay, flat).",
                 queries=tuple(Query(expr=f"max(absent({selector}) or vector(0))",
                                     legend=parse_selector(selector).name) for selector in slo.sli.inputs()),
                 unit="none", width=8, thresholds=_thresholds(((None, "green"), (1.0, "red"))),
                 value_texts=(ValueText(value="0", text="present", color="green"),
                              ValueText(value="1", text="ABSENT", color="red")))


def slo_row(slo: SLO) -> Row:
    """Objective, SLI now and over the window, budget left, burn rates per window and alert state of one SLO."""
    decimals = _percent_decimals(slo.objective)
    good = ((None, "red"), (slo.target, "green"))
    budget = number(slo.budget)
    windows = sorted({w for burn in slo.alerting.windows for w in (burn.long, burn.short)},
                     key=lambda w: slo.ratio_windows.index(w))
    burn_steps = ((None, "green"), *sorted({(burn.factor(slo.window), URGENCY_COLOURS[burn.urgency])
                                            for burn in slo.alerting.windows}))
    remaining = f"1 - {slo.error_ratio_shown(slo.window)} / {budget}"  # the rule's, but 100% before any failure
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
        _stat("Burn alerts firing", "How many of the SLO's burn-rate alerts fire now.",
              f"count({alerts_selector(slo)}) or vector(0)", "none", decimals=0,
              thresholds=((None, "green"), (1.0, "red")),
              value_texts=(ValueText(value="0", text="none", color="green"),)),
        Panel(title=f"Error budget left over {slo.window}", kind=PanelKind.TIMESERIES,
              description="How the budget was spent across the window: a falling line is a burn.",
              queries=(Query(expr=remaining, legend="budget left"),), unit="percentunit", width=8,
              decimals=1, max=1.0, thresholds=_thresholds(BUDGET_STEPS), time_range=slo.window),
        Panel(title="Burn rate per window", kind=PanelKind.TIMESERIES,
              description="Each alert window's error ratio over the budget; an alert fires when both its "
                          "long and short window cross its threshold line.",
              queries=tuple(Query(expr=f"{slo.error_ratio_shown(w)} / {budget}", legend=w) for w in windows),
              unit="none", width=8, decimals=1, min=0.0, thresholds=_thresholds(burn_steps)),
        inputs_panel(slo),
    )
    what = f"{slo.service} {slo.name}"
    return Row(title=f"{what}: {number(slo.objective)}% over {slo.window}",
               panels=tuple(panel.model_copy(update={"title": f"{panel.title} ({what})"}) for panel in panels))


def overview(slos: list[SLO]) -> Dashboard:
    """The SLO overview dashboard: one row per SLO, in definition order, located at the first SLO."""
    board = Dashboard(
        name=DASHBOARD, tags=("slo", "obsgen"), time_range="7d", refresh="1m",
        description="Every service-level objective: objective, SLI, error budget left, burn rates and alerts.",
        rows=tuple(slo_row(slo) for slo in slos),
    )
    board._location = slos[0].location
    return board


def slo_dashboards(objects: Sequence[object]) -> list[Dashboard]:
    """The generated SLO overview, when SLOs are declared and no dashboard of that name is."""
    slos = [obj for obj in objects if isinstance(obj, SLO)]
    if not slos or any(isinstance(obj, Dashboard) and obj.name == DASHBOARD for obj in objects):
        return []
    return [overview(slos)]
