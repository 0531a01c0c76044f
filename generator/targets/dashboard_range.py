"""The time range a notification's dashboard link opens (Alertmanager's template obsgen.dashboard.range adds it to
the alert's dashboard_url): from a lead before the alerts' earliest start, to now while any fires or a trail past
the last one's end. Only Alertmanager knows StartsAt, so the generator gives the template the durations it adds, in
Go's time.Duration (nanoseconds), per alert name and per escalation level where they differ from the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.model import LogAlert, RuleSet
from generator.model.project import Project

NANOSECONDS = 1_000_000_000
"""A second in Go's time.Duration, which time.Time's Add takes in a template."""
DASHBOARD_LEAD = 3600
"""Seconds a notification's dashboard link opens before its alerts' earliest start: the run-up to the incident, the
hour Grafana's own notification links show (grafana/alerting#296). Prometheus' StartsAt is when the alert fired, its
`for` after the condition began (rules' NotifyFunc: StartsAt = FiredAt; Loki's ruler sends the same): a `for` over
45 minutes opens further back (DASHBOARD_ONSET_LEAD)."""
DASHBOARD_TRAIL = 900
"""Seconds a resolved notification's dashboard link runs past its alerts' last end: whether the recovery held."""
DASHBOARD_ONSET_LEAD = 900
"""Seconds a dashboard link opens, at least, before its alert's condition began (StartsAt minus its `for`): what an
on-call reads first is how it began, the series leaving its usual level, so the window starts on that level (a
quarter hour before the onset, as the link runs a quarter hour past a recovery). DASHBOARD_LEAD gives that to any
`for` up to 45 minutes; a longer one opens its `for` plus this before StartsAt (4h15m for a 4h `for`), the leads
meeting at 45 minutes, so no `for` opens less of its run-up than a shorter one."""


def _rules(project: Project) -> list[tuple[str, str, bool, Iterable[str]]]:
    """The alerting rules Prometheus and Loki evaluate (obsgen's, log alerts', imported ones'): name, `for`, whether
    it carries a dashboard_url, and the labels it sets itself."""
    alerts = [*project.alerts.values(), *project.all(LogAlert)]
    return [*((alert.name, alert.for_, bool(alert.dashboard), alert.labels) for alert in alerts),
            *((rule.name, rule.for_ or "0s", "dashboard_url" in rule.annotations, rule.labels)
              for rule_set in project.all(RuleSet) for rule in rule_set.alerts())]


def lead_home(project: Project, leads: list[tuple[float, list[str]]]) -> list[tuple[str, str]]:
    """The stack's external labels a long lead also matches, besides the alert's name: Prometheus' notifier and Loki's
    ruler add them to every alert lacking them, so another stack sharing the Alertmanager, whose alert of the name
    has its own `for`, keeps the default lead (its values are other). Not a templated value (known once the alert
    fires), nor a label some rule of a long lead (of `leads`, dashboard_leads') sets itself (its value, not the
    stack's, is sent)."""
    long = {name for _, names in leads for name in names}
    own = {label for name, _, _, labels in _rules(project) if name in long for label in labels}
    return [(name, value) for name, value in sorted(project.stack.external_labels.items())
            if "{{" not in value and name not in own]


def dashboard_leads(project: Project) -> list[tuple[float, list[str]]]:
    """Each lead (seconds a link opens before its alert's StartsAt: its `for` plus DASHBOARD_ONSET_LEAD) longer than
    DASHBOARD_LEAD, with the names of the alerts that take it: the rules Prometheus and Loki evaluate that carry a
    dashboard_url (obsgen's, imported ones', log alerts'), the longest `for` of a name that several rules share.
    Their escalation copies share the name: the template takes a copy back by its level's delay, then by its
    source's lead. Under a profile the `for`s are the compressed ones the rules hold, in the real time a link's
    range is in."""
    held: dict[str, float] = {}
    for name, duration, dashboard, _ in _rules(project):
        if dashboard:
            held[name] = max(held.get(name, 0.0), parse_seconds(duration))
    leads: dict[float, list[str]] = {}
    for name, seconds in sorted(held.items()):
        if seconds + DASHBOARD_ONSET_LEAD > DASHBOARD_LEAD:
            leads.setdefault(seconds + DASHBOARD_ONSET_LEAD, []).append(name)
    return sorted(leads.items())


def escalation_delays(project: Project) -> list[tuple[str, list[tuple[str, int]]]]:
    """Each policy's levels (their escalation_level value) with the nanoseconds an escalation copy starts after the
    page it escalates, for the dashboard links' range."""
    return [(name, [(str(index), round(parse_seconds(level.after) * NANOSECONDS))
                    for index, level in enumerate(policy.levels, start=1)])
            for name, policy in sorted(project.escalation_policies.items())]


def template_values(project: Project) -> dict[str, Any]:
    """What obsgen.dashboard.range is rendered with: the default lead and trail (nanoseconds, and as text for its
    comment), the longer leads of long-`for` alerts (and the stack's labels they match) and each escalation level's
    delay."""
    leads = dashboard_leads(project)
    return {"lead": DASHBOARD_LEAD * NANOSECONDS, "trail": DASHBOARD_TRAIL * NANOSECONDS,
            "lead_text": format_seconds(DASHBOARD_LEAD), "trail_text": format_seconds(DASHBOARD_TRAIL),
            "onset_text": format_seconds(DASHBOARD_ONSET_LEAD), "escalations": escalation_delays(project),
            "leads": [(round(seconds * NANOSECONDS), names) for seconds, names in leads],
            "lead_home": lead_home(project, leads)}
