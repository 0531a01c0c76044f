"""The table `obsgen latency` prints, and the plan's target checked against it under each reading."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from generator.analysis.latency import Bound, Settings, alert_bound, escalation_bounds, log_alert_bounds
from generator.core.duration import format_seconds
from generator.core.wording import counted
from generator.model.identity import receiver_name
from generator.model.project import Project

PLAN_NOTIFY_TARGET = 30.0
"""The plan's success target: under 30 s from detection to notification."""
STATED_READING = "a new problem's first notification, firing -> notification in a new Alertmanager group"
"""The reading of "from detection" docs/configuration.md states: from the alert firing in its ruler to the first
notification of its group. Another series joining a group that already notified (the same alert on the same
instance: another disk, another query) waits group_interval, the cooldown the plan asks of its severity."""
OTHER_READING = "condition true -> notification"
NAMED = 5
"""Up to this many alerts meeting the target under the other reading are named, more are counted."""
HEADER = ("alert", "receiver", "scrape", "job", "window", "evals", "for", "detect", "g_wait", "g_int", "peer",
          "notify", "held", "bound")
LEGEND = textwrap.wrap(
    "scrape: to the next scrape (LogQL: the collector's flush to Loki); job: the sidecar exporter's runs; "
          "evals: each recording level's group, then the alert's own; notify = firing -> notification = "
          "max(g_wait, g_int) + peer (g_int: an alert joining a group that already notified; peer: the HA pair's "
          "peer_timeout); held = condition true -> notification = the alert's evaluation + for + notify; "
          "bound = detect + notify (seconds; to Alertmanager sending, not the receiver's delivery)", 116)


def _cells(bound: Bound, alert: bool) -> tuple[str, ...]:
    path = bound.path
    detect = (path.scrape, path.job, path.window) if alert else ("", "", "")
    held = bound.held if alert else ""
    figures = (*detect, bound.evaluations, bound.for_, bound.detect if alert else "", bound.route.group_wait,
               bound.route.group_interval, bound.route.peer, bound.notify, held, bound.total)
    return (bound.name, bound.receiver, *(value if isinstance(value, str) else f"{value:g}" for value in figures))


def _table(sections: Sequence[tuple[str, list[Bound], bool]]) -> list[str]:
    """Rows under their section titles, every column as wide as its widest cell."""
    rows = [cells for _, found, alert in sections for cells in (_cells(bound, alert) for bound in found)]
    widths = [max(len(row[column]) for row in [HEADER, *rows]) for column in range(len(HEADER))]

    def line(cells: Sequence[str]) -> str:
        text = [cell.ljust(width) if column < 2 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(cells, widths, strict=True))]
        return " ".join(text).rstrip()

    lines = [line(HEADER)]
    for title, found, alert in sections:
        if title:
            lines.append(title)
        lines += [line(_cells(bound, alert)) for bound in found]
    return lines


def _longest(alerts: list[Bound], figure: str) -> str:
    slowest = max(alerts, key=lambda bound: getattr(bound, figure))
    return f"longest {getattr(slowest, figure):g} s, {slowest.name}"


def verdicts(alerts: list[Bound]) -> tuple[list[str], list[str]]:
    """The plan's target under the stated reading and the other, each named, and what an alert joining a group that
    already notified waits instead; and the alerts that miss the stated reading."""
    target = f"plan target < {PLAN_NOTIFY_TARGET:g} s"
    if not alerts:
        return [f"{target}, read as {STATED_READING} or as {OTHER_READING}: no alert to check"], []
    missed = [bound.name for bound in alerts if bound.route.new_group >= PLAN_NOTIFY_TARGET]
    stated = (f"missed by {', '.join(missed)}" if missed else "met by every alert") + \
        f" (at most {max(b.route.new_group for b in alerts):g} s)"
    held_met = [bound.name for bound in alerts if bound.held < PLAN_NOTIFY_TARGET]
    named = f" ({', '.join(held_met)})" if len(held_met) <= NAMED else ""
    other = (f"met by {len(held_met)} of {counted(len(alerts), 'alert')}{named}" if held_met else
             f"met by none of {counted(len(alerts), 'alert')}") + f" ({_longest(alerts, 'held')})"
    return [f"{target}, read as {STATED_READING} (docs/configuration.md's reading): {stated}",
            f"an alert joining a group that already notified waits its severity's cooldown (group_interval) "
            f"instead: {_longest(alerts, 'notify')}",
            f"{target}, read as {OTHER_READING}: {other}"], missed


def report(project: Project) -> tuple[list[str], list[str]]:
    """The table `obsgen latency` prints, and the alerts that miss the plan's target under its stated reading."""
    settings = Settings.of(project)
    alerts = [alert_bound(project, alert, settings) for alert in project.alerts.values()]
    log_alerts, log_levels = log_alert_bounds(project, settings)
    sections: list[tuple[str, list[Bound], bool]] = [("", alerts, True)]
    if log_alerts:
        sections.append((f"LogQL alerts, evaluated by Loki's ruler every "
                         f"{format_seconds(float(log_alerts[0].evaluation))}:", log_alerts, True))
    sections.append(("escalation levels, from the alert firing:", escalation_bounds(project, settings) + log_levels,
                     False))
    lines = _table(sections)
    lines += LEGEND
    # an alert routed to no receiver (an inhibitor, JobDown) notifies nobody: it has no notification to be late
    found, missed = verdicts([bound for bound in alerts + log_alerts if bound.receiver != receiver_name(())])
    return lines + found, missed
