"""An SLO's alert that its SLI is no longer measured: the SLI's input series are absent.

The burn-rate alerts read ratios of the inputs' rates; with no input series the ratios have no value, so every
burn-rate alert resolves exactly when a service crashes, its scrape fails or a deploy renames its metric. Pyrra
generates `SLOMetricAbsent` for this (`absent(<total selector>) == 1`, and the errors' when they have a metric of
their own, `for` the fastest burn alert's 2m; slo/rules.go, IncreaseRules); Sloth generates nothing.

absent(), not absent_over_time(): a target that fails its scrape, and a series gone from a scrape that succeeds,
get a staleness marker, which absent() sees at the next evaluation; absent_over_time() ignores the markers and
would say so only a whole range later. One failed scrape or a short Prometheus restart is absent() for less than
the `for`. A quiet night is no absence: the counters stay, flat.

A restart is, unless the exporter creates its series at start: client libraries create a labelled counter's child
at its first use (prometheus.io instrumentation practices, "avoid missing metrics"), so after a deploy on a quiet
night a request counter selected by route has no series until the first request, exactly as after a rename. No
expression tells the two apart (both are a process that just started and exposes no such series), so the alert
watches only the inputs whose Metric declares them created at start (`initialised`, `initial_labels`) or which
no Metric declares (up, recorded series); SM008 names the others. Pyrra pages on every input and leaves the
quiet restart to `absent: false` for the whole SLO (pyrra-dev/pyrra#1259, open); Prometheus initialised its own
HTTP counters so that Pyrra's alert would hold (prometheus/prometheus#12472).
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.core.duration import format_seconds, parse_seconds
from generator.model import Alert, Example, Metric
from generator.model.conventions import JOB_LABEL, SLI_ABSENT, SLI_LABEL
from generator.model.sli import LatencySLI, parse_selector
from generator.model.slo import SLO, BurnWindow

LEAST_FOR = 120  # seconds: three evaluations at 1m, so one failed scrape (one stale marker) never fires it


def absent_for(windows: tuple[BurnWindow, ...]) -> str:
    """Half the shortest short window, in whole minutes, at least 2m: Pyrra's 2m for the SRE workbook's 5m. The
    short ratio empties only once its window holds under two samples, so the fastest page resolves after this
    alert fired, and on-call learns why before being told it resolved."""
    shortest = min(parse_seconds(burn.short) for burn in windows)
    return format_seconds(max(LEAST_FOR, shortest / 2 // 60 * 60))


def uncounted_after_restart(slo: SLO, families: Mapping[str, Metric]) -> tuple[tuple[str, Metric], ...]:
    """The SLI's inputs that select no series after their exporter restarts, until their first event, each with
    the Metric that says so (families: series name -> its declared Metric)."""
    own = {name: slo.sli.histogram for name in slo.sli.histogram.series_names()} if isinstance(
        slo.sli, LatencySLI) else {}
    found = []
    for text in slo.sli.inputs():
        selector = parse_selector(text)
        metric = own.get(selector.name) or families.get(selector.name)
        if metric is not None and not metric.exists_from_start(selector.matchers):
            found.append((text, metric))
    return tuple(found)


def watched(slo: SLO, families: Mapping[str, Metric]) -> tuple[str, ...]:
    """The inputs the absent alert reads: every one whose series exist from their exporter's start."""
    lazy = {text for text, _ in uncounted_after_restart(slo, families)}
    return tuple(text for text in slo.sli.inputs() if text not in lazy)


def absent_expr(inputs: tuple[str, ...]) -> str:
    """1 while any input selects nothing; max() drops the labels absent() copies from equality matchers, so the
    alert carries the SLO's labels only, one alert per SLO."""
    absences = "\nor\n".join(f"  absent({selector})" for selector in inputs)
    return f"max(\n{absences}\n)"


def _flat(slo: SLO, *segments: str) -> dict[str, str]:
    """Every input series (counters flat at 1, the gauge at 1) over the segments given."""
    return {series.selector: " ".join(segments) for series in slo.sli.test_series()}


def _selected(selector: str, slo: SLO) -> list[str]:
    """The SLI's test series an input selector selects."""
    wanted = parse_selector(selector)
    return [series.selector for series in slo.sli.test_series()
            if (given := parse_selector(series.selector)).name == wanted.name and wanted.matches(given.equalities())]


def _examples(slo: SLO, inputs: tuple[str, ...], for_minutes: int) -> tuple[Example, ...]:
    """A quiet night stays silent, after a restart too; series gone (stale) fire after the `for`; a gap shorter
    than it does not."""
    fired = 11 + for_minutes + 1  # the marker at 11m, pending for the `for`, firing one evaluation later
    gap = ["1x10", "stale", *["_"] * (for_minutes - 2), "1x20"]
    examples = [
        Example(name="a quiet night (series present, no events) never fires", at="60m", fires=False,
                series=_flat(slo, "1x60")),
        Example(name="a restart on a quiet night (the watched series back at 0, no events) never fires", at="60m",
                fires=False, series={**_flat(slo, "1x10", "stale"),
                                     **{name: "1x10 0x50" for watched in inputs for name in _selected(watched, slo)}}),
        Example(name=f"every input gone (stale) fires after {for_minutes}m", at=f"{fired}m", fires=True,
                labels={}, value=1, series=_flat(slo, "1x10", "stale")),
        Example(name=f"a gap shorter than {for_minutes}m (one failed scrape, a restart) does not fire",
                at=f"{11 + for_minutes - 2}m", fires=False, series=_flat(slo, *gap)),
        Example(name="Prometheus down 4m (no samples, no staleness marker) does not fire", at="13m", fires=False,
                series=_flat(slo, "1x10", "_x3", "1x10")),
    ]
    for selector in inputs if len(inputs) > 1 else ():
        gone = _selected(selector, slo)
        series = {**_flat(slo, "1x20"), **{name: "1x10 stale" for name in gone}}
        examples.append(Example(name=f"{selector} alone gone fires", at=f"{fired}m", fires=True, labels={},
                                value=1, series=series))
    return tuple(examples)


def runbook(slo: SLO, inputs: tuple[str, ...]) -> str:
    """What a responder does first."""
    what = f"{slo.service} {slo.name}"
    return (f"Query each input in Prometheus ({', '.join(f'`{s}`' for s in inputs)}) to see which one is "
            "missing. If its target is down (the Targets page, `up`), the service or its exporter stopped: bring it "
            "back, it may be the outage itself. If a deploy renamed the metric, changed its labels or the "
            "histogram's buckets, roll it back or fix the SLI's selector in definitions/. Until the inputs are back, "
            f"the {what} burn-rate alerts cannot fire: watch the service by hand. It watches only series that exist "
            "from their exporter's start: if a restart left one missing until its first event, the application no "
            "longer creates it at 0 at start-up; create it again, or drop the Metric's initial_labels (or "
            "initialised) so that this alert stops watching it.")


def absent_labels(slo: SLO, jobs: tuple[str, ...]) -> dict[str, str]:
    """The SLO's labels, sli="absent", and the job its inputs come from when they all come from one: the routes
    group the absent pages of one job into one notification (one dead job, one page, however many SLOs it feeds).
    Pyrra's SLOMetricAbsent carries the job too (absent() copies the selector's job="..."). Inputs of several jobs
    (or of one not known) leave it out: max() cannot say which job's input vanished, so the page is its own."""
    return {**slo.series_labels, SLI_LABEL: SLI_ABSENT, **({JOB_LABEL: jobs[0]} if len(jobs) == 1 else {})}


def absent_alert(slo: SLO, inputs: tuple[str, ...], jobs: tuple[str, ...], group: str, dashboard: str) -> Alert:
    """The alert that the SLO's SLI inputs given (those created at start, `watched`) vanished, in its rule group,
    routed as its pages (page severity and escalation), opening its dashboard; jobs: the scrape jobs the inputs
    come from (none when one of them comes from no known job)."""
    page = next((burn for burn in slo.alerting.windows if burn.urgency == "page"), slo.alerting.windows[0])
    wait = absent_for(slo.alerting.windows)
    missing = (f"The SLI's input {inputs[0]} has had no series" if len(inputs) == 1 else
               f"One of the SLI's inputs ({'; '.join(inputs)}) has had no series")
    made = Alert(
        name=slo.absent_alert, plan_name=slo.plan_name, expr=absent_expr(inputs), **{"for": wait},
        severity=slo.alerting.severity(page), escalation=slo.alerting.escalation(page),
        labels=absent_labels(slo, jobs), group=group, dashboard=dashboard,
        summary=f"{slo.service} {slo.name} SLO is not measured: its SLI's input series are absent",
        description=f"{slo.description} ({slo.sli.describe()}). {missing} for {wait}: the error ratio "
                    "has no value, so the SLO's burn-rate alerts cannot fire and those firing resolve. A crashed "
                    "service, a failing scrape, a renamed metric or changed buckets do this; a quiet night does "
                    "not, after a restart either (the series it watches exist from their exporter's start and stay, "
                    "flat).",
        runbook=runbook(slo, inputs),
        examples=_examples(slo, inputs, int(parse_seconds(wait) // 60)),
    )
    made._location = slo.location
    return made
