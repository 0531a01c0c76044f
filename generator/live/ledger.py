"""Notifications accounted for: what each alert episode Prometheus recorded should have sent, and what arrived.

An episode is a run of an alert's `ALERTS{alertstate="firing"}` samples (gaps shorter than Alertmanager's
resolve timeout bridged: Alertmanager still holds the alert as firing across them, as it does across a
Prometheus restart). The alert's labels route it, through the compiled alertmanager.yml, to integrations
(a path of the webhook sink, where webhooks, Slack and PagerDuty post in their own formats, or an email
address); each owes one firing notification, one resolved
notification when it sends resolved ones, and repeats no more often than the route's repeat_interval.

The inhibit_rules mute an episode while an episode of an alert that inhibits it fires, as Alertmanager mutes it at
each flush of its group: it owes its firing notification only when a group flush finds it unmuted, and its
resolved one only after a firing one and when the flush after it ended finds it unmuted (a notification log that
never told an alert sends no resolution of it, notify.go's DedupStage).

A group of several alerts (a dead job's SLIAbsent pages, grouped by job) tells them in one notification, and tells
again whenever one of them starts or, sending resolved ones, resolves: each change allows each alert of the group one
more firing notification, and one more resolved one to an alert resolved up to RESOLVED_RESENT before (Prometheus
still sends it, so Alertmanager lists it again). A member resolved while the group still fires is told in the
group's firing notification: an email lists it under "Resolved since the last message", a Slack message or
PagerDuty event names it in its title.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.core.alert_inhibition import InhibitRule, mutes
from generator.core.alert_routing import Routes, routes_taking
from generator.core.bounded_http import json_answer
from generator.core.duration import parse_seconds
from generator.core.http_deadline import deadline_for, fetch
from generator.core.untrusted import FileError, read_file_text, read_yaml_document
from generator.live.client import ACCEPTED, status_of, title_of, title_shows
from generator.live.recording import Record
from generator.model.conventions import ESCALATION_LEVEL_LABEL, SEVERITY_LABEL, alertmanager_template
from generator.model.stack import alertmanager_built_for

SETTLE = 3.0
"""Seconds allowed beyond a route's timings for evaluation, delivery and a shared machine."""
Integration = tuple[str, str]
"""("webhook", path on the sink) or ("email", address); ("slack", channel) or ("pagerduty", key file) outside a
live stack, where they post to the services themselves."""
RESOLVED_RESENT = 15 * 60.0
"""Seconds Prometheus keeps sending an alert it resolved (rules/alerting.go's resolvedRetention)."""
RESOLVED_SINCE = "\nResolved since the last message:\n"
"""Where an email of a firing group (templates/obsgen.tmpl.j2's obsgen.text) lists the alerts resolved since."""
NAMED = "named"
"""_mentions' answer for a firing group's Slack message or PagerDuty event naming the alert: it is firing, or resolved
since the group's last notification."""
URL_FIELDS = {"webhook_configs": "url", "slack_configs": "api_url", "pagerduty_configs": "url"}
"""Where each posting integration's URL is: under a live stack, a path of the sink."""


@dataclass(frozen=True)
class Delivery:
    """One integration an alert reaches, with the timings of the route that sends it there."""

    integration: Integration
    send_resolved: bool
    group_wait: float
    group_interval: float
    repeat_interval: float
    shown: tuple[str, ...] = ()
    """Labels a Slack or PagerDuty title shows beside alertname, severity and level: the route's group_by."""


class Routing:
    """Alertmanager's routing of a compiled alertmanager.yml (its core.alert_routing.Routes, as obsgen diff reads it
    too) to the integrations each receiver posts to, with the route's timings in seconds, and its inhibit rules."""

    def __init__(self, config: Path, home_labels: Mapping[str, str] | None = None, release: str = "") -> None:
        """FileError when the file is not an Alertmanager configuration read within core.untrusted's bounds (out/
        may have been edited since the build), or one Alertmanager `release` (X.Y.Z) would refuse: a matchers line
        it cannot read, a regex that does not compile. `home_labels`: the stack's external labels, which its titles
        leave out at its own values (obsgen.where), though the routes group by them. `release`: the Alertmanager
        that runs the file; by default the one its build declares (built_for)."""
        self._home = dict(home_labels or {})
        document = read_yaml_document(config)
        if not isinstance(document, dict) or not isinstance(document.get("route"), dict):
            raise FileError(config, "not an Alertmanager configuration: a mapping with a route and a list of "
                                     "receivers")
        self.release = release or built_for(config)
        rules = document.get("inhibit_rules") or []
        try:
            self.routes = Routes.read(document, self.release)
            if not isinstance(rules, list):
                raise ValueError("inhibit_rules is not a list")
            self.inhibit_rules = [InhibitRule.parse(rule, self.release) for rule in rules]
        except ValueError as error:
            raise FileError(config, f"not an Alertmanager configuration: {error}") from None

    def deliveries(self, labels: dict[str, str]) -> list[Delivery]:
        """Every integration the labels reach (a `continue` route adds its own)."""
        found = []
        for route in routes_taking(self.routes.tree, labels):
            receiver = self.routes.receivers[route["receiver"]]
            wait, interval, repeat = (parse_seconds(route[key]) for key in ("group_wait", "group_interval",
                                                                            "repeat_interval"))
            shown = tuple(label for label in route["group_by"] if self._home.get(label, None) != labels.get(label))
            for field, url_field in URL_FIELDS.items():
                for config in receiver.get(field, []):
                    url = config.get(url_field)
                    target = (("webhook", urlsplit(url).path) if url else
                              (field.removesuffix("_configs"), config.get("channel") or config.get("routing_key_file")))
                    found.append(Delivery(target, config.get("send_resolved", True), wait, interval, repeat, shown))
            for config in receiver.get("email_configs", []):
                found.append(Delivery(("email", config["to"]), config.get("send_resolved", False), wait, interval,
                                      repeat))
        return found


def built_for(config: Path) -> str:
    """The Alertmanager release an out/'s alertmanager.yml was built for: what the notification templates beside it
    declare (a live stack builds for the release it runs, live.releases.installed), else the stack's default
    (model.stack.alertmanager_built_for)."""
    template = config.parent.parent / alertmanager_template()
    return alertmanager_built_for(read_file_text(template) if template.is_file() else "")


@dataclass(frozen=True)
class Episode:
    """An alert firing from `start` to `end` (None: still firing when looked at)."""

    labels: dict[str, str]
    start: float
    end: float | None

    @property
    def name(self) -> str:
        """The alert and, for an escalation, the alert it escalates and the level."""
        labels = self.labels
        if ESCALATION_LEVEL_LABEL in labels:
            return f"{labels['alertname']} level {labels[ESCALATION_LEVEL_LABEL]}"
        return labels["alertname"]


ANSWER_BYTES = 64 * 2**20
"""Largest answer of ALERTS' raw samples read: a day's soak of 100 alerts evaluated every 15 s is about 15 MiB."""
QUERY_TIMEOUT = 60.0
"""Seconds to wait for Prometheus to answer the day's raw samples; the whole request ends by twice that (its body)."""


def episodes(prometheus_url: str, start: float, end: float, bridge: float) -> list[Episode]:
    """Firing episodes of every alert between start and end, from the raw ALERTS samples (evaluation times).

    Raw samples, not query_range: a range query shows a series from the next step after it appears and for
    up to the lookback delta after it stops, which would misplace notifications sent right at firing.
    """
    query = f'ALERTS{{alertstate="firing"}}[{math.ceil(end - start)}s]'
    response = fetch("GET", f"{prometheus_url}/api/v1/query", deadline_for(QUERY_TIMEOUT), ANSWER_BYTES,
                     timeout=QUERY_TIMEOUT, params={"query": query, "time": f"{end:.3f}"})
    response.raise_for_status()
    found: list[Episode] = []
    for series in json_answer(response)["data"]["result"]:
        labels = {k: v for k, v in series["metric"].items() if k not in ("__name__", "alertstate")}
        found += _runs(labels, [float(t) for t, _ in series["values"]], bridge, end)
    return sorted(found, key=lambda e: e.start)


def _runs(labels: dict[str, str], stamps: list[float], bridge: float, end: float) -> list[Episode]:
    runs, begin = [], stamps[0]
    for before, after in itertools.pairwise(stamps):
        if after - before > bridge:
            runs.append(Episode(labels, begin, before))
            begin = after
    runs.append(Episode(labels, begin, None if end - stamps[-1] <= bridge else stamps[-1]))
    return runs


@dataclass(frozen=True)
class Tally:
    """One episode at one integration: notifications owed and received."""

    episode: Episode
    integration: Integration
    expected_firing: int
    received_firing: int
    expected_resolved: int
    received_resolved: int
    allowed_firing: int
    """Firing notifications that are not duplicates: the first plus one per repeat_interval of firing and one per
    change of its group."""
    allowed_resolved: int = 1
    """Resolved notifications that are not duplicates: one, plus one per change of its group soon after."""

    @property
    def lost(self) -> int:
        """Notifications owed and never received."""
        return (max(0, self.expected_firing - self.received_firing)
                + max(0, self.expected_resolved - self.received_resolved))

    @property
    def duplicated(self) -> int:
        """Notifications received more often than Alertmanager's timings allow."""
        return (max(0, self.received_firing - self.allowed_firing)
                + max(0, self.received_resolved - self.allowed_resolved))


def _mentions(record: Record, delivery: Delivery, labels: dict[str, str]) -> str | None:
    """The status ("firing"/"resolved") the record reports for an alert with these labels, None if not about it."""
    kind, target = delivery.integration
    if kind == "webhook":
        if record.get("path") != target or record.get("answered") not in ACCEPTED:
            return None
        if "alerts" not in record["body"]:  # Slack's message or PagerDuty's event: its title says which alert
            shown = {k: v for k, v in labels.items()
                     if k in (*delivery.shown, SEVERITY_LABEL, ESCALATION_LEVEL_LABEL) and k != "alertname"}
            if not title_shows(title_of(record), labels["alertname"], shown):
                return None
            return NAMED if status_of(record) == "firing" else "resolved"
        for alert in record["body"]["alerts"]:
            if all(alert["labels"].get(k) == v for k, v in labels.items()):
                return str(alert["status"])
        return None
    if target not in record.get("rcpt_tos", ()):
        return None
    firing, _, resolved = record["text"].partition(RESOLVED_SINCE)
    for status, text in (("firing", firing), ("resolved", resolved)):
        if all(f"{k}={v}" in text for k, v in labels.items()):
            return "resolved" if "[RESOLVED]" in record["subject"] else status
    return None


Span = tuple[float, float]
"""From, to (time.time()): while an alert was muted."""


def account(found: list[Episode], routing: Routing, records: list[Record], until: float) -> list[Tally]:
    """A tally per episode and integration, from the sinks' records (webhooks and emails together)."""
    muting = _muting(found, routing.inhibit_rules)
    reaching = [(episode, routing.deliveries(episode.labels)) for episode in found]
    groups: dict[tuple[Any, ...], list[Episode]] = {}
    for episode, deliveries in reaching:
        for delivery in deliveries:
            groups.setdefault(_group(delivery, episode), []).append(episode)
    in_order = sorted(records, key=lambda record: float(record["received"]))
    tallies = []
    for index, (episode, deliveries) in enumerate(reaching):
        following = [e.start for e in found[index + 1:] if e.labels == episode.labels]
        horizon = following[0] if following else math.inf
        muted = muted_spans(muting[_key(episode.labels)], until)
        for delivery in deliveries:
            changes = _changes(episode, delivery, groups[_group(delivery, episode)], until)
            tallies.append(_tally(episode, delivery, in_order, until, horizon, muted, changes))
    return tallies


def _group(delivery: Delivery, episode: Episode) -> tuple[Any, ...]:
    """Alertmanager's aggregation group of the alert at this integration: its route's group_by labels' values."""
    return delivery, tuple(episode.labels.get(name, "") for name in delivery.shown)


def _changes(episode: Episode, delivery: Delivery, group: list[Episode], until: float) -> tuple[int, int]:
    """How often other alerts of its group started, or resolved, while the episode fired (from the moment it
    started: alerts of one evaluation may reach Alertmanager apart), and in RESOLVED_RESENT after it ended."""
    ended = episode.end if episode.end is not None else until
    moments = [other.start for other in group if other.labels != episode.labels]
    if delivery.send_resolved:
        moments += [other.end for other in group if other.labels != episode.labels and other.end is not None]
    after = sum(ended < moment <= ended + RESOLVED_RESENT for moment in moments) if episode.end is not None else 0
    return sum(episode.start <= moment <= ended for moment in moments), after


def _key(labels: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


def _muting(found: list[Episode], rules: list[InhibitRule]) -> dict[frozenset[tuple[str, str]], list[Episode]]:
    """For each alert (its labels), the episodes of the alerts that inhibit it: rules tried once per pair of alerts,
    not of episodes (a day's soak has thousands of episodes of a hundred alerts)."""
    alerts: dict[frozenset[tuple[str, str]], list[Episode]] = {}
    for episode in found:
        alerts.setdefault(_key(episode.labels), []).append(episode)
    return {target: [episode for source, runs in alerts.items()
                     if source != target and mutes(rules, dict(source), dict(target)) for episode in runs]
            for target in alerts}


def muted_spans(sources: list[Episode], until: float) -> list[Span]:
    """When the episodes of alerts that inhibit one fired, overlapping ones joined, in order."""
    joined: list[Span] = []
    for begin, end in sorted((source.start, until if source.end is None else source.end) for source in sources):
        if joined and begin <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((begin, end))
    return joined


def _told(start: float, end: float, muted: list[Span]) -> list[Span]:
    """The parts of start..end no span mutes (joined spans, in order)."""
    told, at = [], start
    for begin, stop in muted:
        if begin > at:
            told.append((at, min(begin, end)))
        at = max(at, stop)
    return [(begin, stop) for begin, stop in [*told, (at, end)] if stop > begin]


def _owes_firing(episode: Episode, delivery: Delivery, told: list[Span]) -> bool:
    """Whether a flush of the group surely found the alert firing and unmuted: the first flush group_wait after it
    came, later ones within a group_interval of its being unmuted."""
    def flushed_by(begin: float) -> float:
        if begin == episode.start:
            return begin + delivery.group_wait
        return max(episode.start + delivery.group_wait, begin + delivery.group_interval)
    return any(stop - flushed_by(begin) >= SETTLE for begin, stop in told)


def _tally(episode: Episode, delivery: Delivery, records: list[Record], until: float, horizon: float,
           muted: list[Span] | None = None, changes: tuple[int, int] = (0, 0)) -> Tally:
    """The episode's tally at one integration, from records in the order they arrived."""
    ended = episode.end if episode.end is not None else until
    told = _told(episode.start, ended, muted or [])
    firing = resolved = 0
    for record in records:
        status = _mentions(record, delivery, episode.labels)
        at = record["received"]
        if status == NAMED:  # after the alert ended and was told, its group names it as resolved since
            status = "resolved" if firing and episode.end is not None and at > episode.end else "firing"
        if status == "firing" and episode.start <= at < min(horizon, ended + delivery.group_wait + SETTLE):
            firing += 1
        elif status == "resolved" and episode.end is not None and episode.end <= at < horizon:
            resolved += 1
    lasted = ended - episode.start
    owed_firing = int(_owes_firing(episode, delivery, told))
    settled = episode.end is not None and until - episode.end >= delivery.group_interval + SETTLE
    resolution_told = episode.end is not None and not any(  # the flush after it ended may find a source firing
        begin <= episode.end + delivery.group_interval + SETTLE and stop >= episode.end for begin, stop in muted or [])
    owed_resolved = int(owed_firing and delivery.send_resolved and settled and resolution_told)
    muted_throughout = any(begin <= episode.start and stop >= ended for begin, stop in muted or [])
    allowed = 0 if muted_throughout else 1 + math.floor(lasted / delivery.repeat_interval) + changes[0]
    return Tally(episode, delivery.integration, owed_firing, firing, owed_resolved, resolved, allowed, 1 + changes[1])
