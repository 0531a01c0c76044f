"""An alert's summary or description states a threshold or a hold its rule does not have.

The summary and description are hand-written next to the rule, and are what the person paged reads; a
threshold or `for` changed in the rule and not in the text makes the page state a condition that is not the one
that fired ("above 90% for 5 minutes" from a rule that compares with 80 for 10m). The check reads each number the
text states after a comparison word (above, over, exceeds, more/greater/higher/less/fewer/lower than, at least, at
most, below, under) with its unit, and reports every one that is none of the rule's: a percentage may be the
threshold, its complement (95% used is 5% available) or a ratio threshold written as percent; a time (2s, 500ms,
10 minutes) the threshold in seconds or in the unit written, the `for` or a range the rule reads; bytes (1 GiB) or a
count written with a multiple (1k, 1.5M) the threshold in SI or IEC multiples; a plain number the threshold, or a
ratio as a count of 100; and the text may round it (33% for 0.333). A percentage written with no comparison word,
and a `for <duration>`, are reported only when none of the text's is the rule's. The rule's thresholds are the
constants of its comparisons, arithmetic folded (`> 14.4 * (1 - 0.99)`), and of the recording rules it reads; a rule
comparing two series has none known, and its stated thresholds are not judged. A Go template ({{ $value }}) is never
a stated number. Imported rule sets' alerts are read too (their summary and description annotations), and so is a
panel's description naming one alert of obsgen's ("CpuHigh fires above 90% for 5 minutes", judged against
CpuHigh's rule); the burn-rate alerts of SLOs are not: obsgen writes their text from the same numbers as their
rules.

    Alert(metric=cpu_usage, op=">", threshold=80, **{"for": "10m"},
          summary="CPU on {{ $labels.instance }} above 90% for 5 minutes")

Fix: say in the text what the rule says, or template the value ({{ $value | humanizePercentage }}).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from generator.checks.base import Context, Finding
from generator.checks.semantics.alert_without_condition import conditions
from generator.checks.semantics.recorded import recorded_exprs, series_read, through_rules
from generator.checks.semantics.stated_numbers import agrees, holds, rule_numbers, stated
from generator.core.duration import parse_seconds
from generator.core.errors import Level, Location
from generator.model import Alert, Dashboard, Definition, RuleSet
from generator.model.slo import SLO

CODE = "SM006"
NAME = "annotation-contradicts-rule"
LEVEL = Level.WARNING
TEXTS = ("summary", "description")
CLAUSE = re.compile(r"(?<=[;.])\s+|[()]")


class Worded(NamedTuple):
    """An alert with hand-written words: where a finding goes, how it is named, its rule and its text."""

    at: Definition
    path: tuple[str | int, ...]
    what: str
    expr: str
    held: str
    text: str
    related: tuple[Location, ...] = ()


def _worded(context: Context) -> Iterator[Worded]:
    """Every alert but SLO burn-rate alerts and heartbeats, obsgen's and imported rule sets', with its text."""
    project = context.project
    written_by_obsgen = {slo.alert(burn) for slo in project.all(SLO) for burn in slo.alerting.windows}
    for condition in conditions(context):
        at, path = condition.at, condition.path
        if isinstance(at, Alert):
            if at.name not in written_by_obsgen:
                yield Worded(at, ("summary",), condition.what, condition.expr, condition.held,
                             f"{at.summary}\n{at.description}")
        elif isinstance(at, RuleSet):
            g, r = path[1], path[3]
            rule = at.groups[int(g)].rules[int(r)]
            annotations = getattr(rule, "annotations", {})
            key = next((key for key in TEXTS if key in annotations), "")
            if key:
                yield Worded(at, (*path[:-1], "annotations", key), condition.what, condition.expr, condition.held,
                             "\n".join(annotations.get(name, "") for name in TEXTS))
    yield from _panels(context, written_by_obsgen)


def _panels(context: Context, skipped: set[str]) -> Iterator[Worded]:
    """Every panel whose description names one alert of obsgen's ("CpuHigh fires above 90%"), with that alert's
    rule and the clauses that name it (the rest says what the panel shows); a description naming several is not
    read (which number is whose is not known), nor one naming a heartbeat (it has no hold: "when Watchdog stops for
    10 minutes" is the dead man's switch's)."""
    alerts = {name: alert for name, alert in context.project.alerts.items()
              if isinstance(alert, Alert) and name not in skipped and alert.heartbeat is None}
    for dashboard in context.project.all(Dashboard):
        for panel in dashboard.all_panels:
            named = [alerts[name] for name in re.findall(r"\b[A-Z]\w+\b", panel.description or "") if name in alerts]
            if len({alert.name for alert in named}) == 1:
                alert = named[0]
                clauses = [clause for clause in CLAUSE.split(panel.description or "") if alert.name in clause]
                yield Worded(panel, ("description",), f"panel {panel.title!r} (on alert {alert.name})",
                             alert.condition, alert.for_, "\n".join(clauses), (alert.location,))


def check(context: Context) -> Iterator[Finding]:
    recordings = recorded_exprs(context)
    for at, path, what, expr, held, text, related in _worded(context):
        numbers = stated(text)
        said = holds(text)
        if not numbers and not said:
            continue
        exprs = [expr, *through_rules(recordings, series_read(expr))[1]]
        rule = rule_numbers(exprs, parse_seconds(held) if held else 0.0)
        compared = [number for number in numbers if not number.alone]
        alone = [number for number in numbers if number.alone]
        wrong = [number for number in compared if not agrees(number, rule)]
        if alone and not any(agrees(number, rule) for number in numbers):
            wrong += alone
        if wrong and rule.thresholds and not rule.unknown:
            shown = sorted(rule.thresholds)
            yield Finding(at, f"{what}: its text states {', '.join(repr(n.shown) for n in wrong)} but the rule "
                              f"compares with {', '.join(f'{t:g}' for t in shown)}"
                              + (f" for {held}" if held and held != "0s" else ""), path, related)
        if said and not any(seconds in rule.durations for seconds in said.values()):
            yield Finding(at, f"{what}: its text says {', '.join(map(repr, said))} but the rule holds for "
                              f"{held or '0s'}", path, related)
