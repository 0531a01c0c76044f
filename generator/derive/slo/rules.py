"""An SLO expanded into recording rules and multi-window multi-burn-rate alerts (Google SRE workbook, ch. 5).

Per SLO, in one rule group so every alert reads ratios recorded in the same evaluation:
- the failed and all events per second over 5m (recorded so the window's ratio can weigh by traffic),
- the error ratio over 5m and every burn window's short and long window,
- the error ratio over the SLO window: the sums over the window of the 5m event rates,
- the objective, the current (5m) and the window's burn rate, and the error budget remaining,
- one alert per burn window: long and short ratio both above factor x error budget,
- one alert that the SLI's input series are absent (absent.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from generator.core.duration import parse_seconds
from generator.derive.slo.absent import absent_alert, watched
from generator.derive.slo.feed import Segment, input_series
from generator.derive.slo.target_down import paired
from generator.model import Alert, Example, Metric, RecordingRule, ScrapeJob, conventions
from generator.model.slo import SLO, WINDOW_LABEL, BurnWindow, number

DASHBOARD = "SLO Overview"
BASE_WINDOW = "5m"


def group(slo: SLO) -> str:
    """Rule group (and rule file) of an SLO."""
    return conventions.slo_group(slo.slug)


def period_ratio_expr(slo: SLO) -> str:
    """Error ratio over the SLO window, weighted by traffic: sums of 5m failed and all events; no sample, not 0/0 =
    NaN, when the window counted no event (a panel's `or 0 * events` then shows 0: nothing was spent)."""
    errors, events = slo.record("error_events", f"rate{BASE_WINDOW}"), slo.record("events", f"rate{BASE_WINDOW}")
    return f"sum_over_time({errors}[{slo.window}]) / (sum_over_time({events}[{slo.window}]) > 0)"


def threshold(slo: SLO, burn: BurnWindow) -> str:
    """The error ratio a burn window alerts above, as PromQL: (14.4 * 0.001)."""
    return f"({number(burn.factor(slo.window))} * {number(slo.budget)})"


def failure_floor(slo: SLO) -> int:
    """Failed events a burn alert's long window must count (1: the ratios alone decide, as for an SLI of samples
    that come at the scrape rate day and night)."""
    return slo.alerting.min_failures if slo.sli.counts_requests else 1


def alert_expr(slo: SLO, burn: BurnWindow) -> str:
    """Long and short window both burning faster than the window's factor, once the long window has counted the
    SLO's floor of failed events."""
    limit = threshold(slo, burn)
    burning = (f"{slo.error_ratio_record(burn.long)} > {limit}\n"
               f"and\n{slo.error_ratio_record(burn.short)} > {limit}")
    least = failure_floor(slo)
    if least == 1:
        return burning
    return f"{burning}\nand on ()\n({slo.sli.error_rate(burn.long)}) * {parse_seconds(burn.long):g} >= {least}"


def recording_rules(slo: SLO) -> list[RecordingRule]:
    """The SLO's recording rules, in evaluation order."""
    labels = slo.series_labels
    what = f"{slo.service} {slo.name}"
    errors, events = slo.record("error_events", f"rate{BASE_WINDOW}"), slo.record("events", f"rate{BASE_WINDOW}")
    ratio_now = slo.error_ratio_record(BASE_WINDOW)
    period_burn = slo.record("period_burn_rate", "ratio")
    specs = [
        (errors, slo.sli.error_rate(BASE_WINDOW), f"failed events per second of {what}", "ops"),
        (events, slo.sli.event_rate(BASE_WINDOW), f"events per second of {what}", "ops"),
        (ratio_now, f"{errors} / ({events} > 0)", f"share of failed events of {what} over {BASE_WINDOW}", "ratio"),
    ]
    specs += [(slo.error_ratio_record(window), slo.sli.error_ratio(window),
               f"share of failed events of {what} over {window}", "ratio")
              for window in slo.ratio_windows if window != BASE_WINDOW]
    specs += [
        (slo.error_ratio_record(slo.window), period_ratio_expr(slo),
         f"share of failed events of {what} over the SLO window {slo.window}", "ratio"),
        (slo.record("objective", "ratio"), f"vector({number(slo.objective / 100)})",
         f"objective of {what}: share of good events promised", "ratio"),
        (slo.record("current_burn_rate", "ratio"), f"{ratio_now} / {number(slo.budget)}",
         f"error budget burn rate of {what} over {BASE_WINDOW} (1 = spent exactly over {slo.window})", ""),
        (period_burn, f"{slo.error_ratio_record(slo.window)} / {number(slo.budget)}",
         f"error budget burn rate of {what} over {slo.window}", ""),
        (slo.record("period_error_budget_remaining", "ratio"), f"1 - {period_burn}",
         f"share of the {slo.window} error budget of {what} left (negative when overspent)", "percentunit"),
    ]
    rules = []
    for name, expr, help_text, unit in specs:
        rule = RecordingRule(name=name, expr=expr, help=help_text, unit=unit, labels=labels, group=group(slo))
        rule._location = slo.location
        rules.append(rule)
    return rules


def _human(seconds: float) -> str:
    hours = seconds / 3600
    return f"{number(round(hours / 24, 1))} days" if hours >= 48 else f"{number(round(hours, 1))} hours"


def _examples(slo: SLO, burn: BurnWindow) -> tuple[Example, ...]:
    """A burn above the factor from the first minute fires; a clean series does not."""
    factor = burn.factor(slo.window)
    burning = min(factor * 1.25, (factor + 1 / slo.budget) / 2)  # above the factor, below 100% errors
    ratio = Decimal(number(burning * slo.budget))
    return (
        Example(name=f"{number(burning)}x burn from the start fires within 10 minutes", at="10m", fires=True,
                interval="1m", labels=slo.series_labels, value=float(ratio),
                series=input_series(slo.sli, [Segment(10, ratio)])),
        Example(name="no failed events never fires", at="10m", fires=False, interval="1m",
                series=input_series(slo.sli, [Segment(10, Decimal(0))])),
    )


def default_runbook(slo: SLO, burn: BurnWindow) -> str:
    """What a responder does first, when the SLO gives no runbook."""
    return (f"Open the {DASHBOARD} dashboard, row {slo.service} {slo.name}, to see which windows burn. "
            f"Find where the failures come from ({slo.sli.describe()}): split by instance, endpoint and status. "
            "If a deploy or config change started it, roll it back; if a dependency fails, fail over or shed load. "
            + ("A page means the budget is gone within days at this rate: act now."
               if burn.urgency == "page" else
               "A ticket means the budget runs out before the window ends: fix it this week."))


def alert(slo: SLO, burn: BurnWindow) -> Alert:
    """The alert of one burn window."""
    factor = burn.factor(slo.window)
    exhausted = _human(parse_seconds(slo.window) / factor)
    made = Alert(
        name=slo.alert(burn), plan_name=slo.plan_name, expr=alert_expr(slo, burn),
        severity=slo.alerting.severity(burn), escalation=slo.alerting.escalation(burn),
        labels={**slo.series_labels, WINDOW_LABEL: burn.long}, group=group(slo), dashboard=DASHBOARD,
        # the value is the left side of the expression's `and`: the long window's share of bad events
        summary=f"{slo.service} {slo.name} SLO: error budget burning {number(factor)}x too fast "
                f"over {burn.long} and {burn.short} ({{{{ $value | humanizePercentage }}}} of events bad over "
                f"{burn.long})",
        description=f"{slo.description} ({number(slo.objective)}% over {slo.window}). More than "
                    f"{number(factor * slo.budget * 100)}% of events were bad over both the last {burn.long} and the "
                    f"last {burn.short}: {number(burn.budget_percent)}% of the {slo.window} error budget is spent "
                    f"in {burn.long}, and all of it in {exhausted} at this rate"
                    + (f" ({floor} or more failed events in {burn.long})." if (floor := failure_floor(slo)) > 1
                       else "."),
        runbook=slo.runbook or default_runbook(slo, burn),
        examples=_examples(slo, burn),
    )
    made._location = slo.location
    return made


def expand(slo: SLO, families: Mapping[str, Metric],
           scrape_jobs: Sequence[ScrapeJob] = ()) -> tuple[list[RecordingRule], list[Alert]]:
    """Every recording rule and alert an SLO compiles into, located at the SLO's definition: the burn-rate alerts,
    and the one that its SLI's inputs vanished (unless switched off, or no input exists from its exporter's start;
    families: series name -> its declared Metric; scrape_jobs: the project's, whose job the inputs come from)."""
    alerts = [alert(slo, burn) for burn in slo.alerting.windows]
    if slo.alerting.absent and (inputs := watched(slo, families)):
        jobs, unknown = paired(inputs, families, scrape_jobs)
        alerts.append(absent_alert(slo, inputs, () if unknown else jobs, group(slo), DASHBOARD))
    return recording_rules(slo), alerts
