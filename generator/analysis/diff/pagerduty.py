"""PagerDuty incidents a routing change would orphan.

Alertmanager's PagerDuty integration sends every event of a group with dedup_key = sha256 of the group key, the
route's key (its matchers and its parents') and the group's labels (group_by); it cannot be set
(generator.core.group_key). A deploy that changes a paging route's matchers, a parent's, or its group_by gives the
alerts still firing a new key: their resolve goes out under a dedup_key PagerDuty never saw, the incident opened
under the old one stays open, and a new one opens. A deploy after which the alerts no longer reach that PagerDuty
integration sends no resolve at all. Both are said per base route, for the alerts of base's rules that take it
(external labels added, as Prometheus sends them), and for paging routes no rule reaches (alerts from elsewhere)
when head has no route of the same key and grouping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.analysis.diff.alert_view import external_labels
from generator.analysis.diff.changes import Change, FieldChange, OutTree
from generator.analysis.diff.routing import CONFIG, alertmanager_routes
from generator.analysis.diff.rules import is_loki, rule_groups
from generator.core.group_key import (
    Grouping,
    Orphan,
    Orphaning,
    every_route,
    groupings,
    orphans,
    paging_receivers,
)
from generator.core.label_matchers import LabelMatcher
from generator.model.conventions import ESCALATION_LEVEL_LABEL

SECTION = "pagerduty incidents"
KEY_PREFIX = "group key prefix"
"""Shown even when it stays: which key the incidents were opened under."""
WARNING = "open incidents on this route will not resolve from Alertmanager after this deploy"
WHY = {
    Orphaning.KEY_CHANGES: f"{WARNING}: the resolve of an alert still firing is sent with the dedup_key of its new "
                           "group key (sha256 of it), which PagerDuty never saw, and a new incident opens beside the "
                           "old one",
    Orphaning.SERVICE_CHANGES: f"{WARNING}: its alerts keep their group key but page another PagerDuty service "
                               "(routing key), which never saw the incident, so the resolve closes nothing and a new "
                               "incident opens there",
    Orphaning.PAGING_ENDS: f"{WARNING}: these alerts no longer reach this PagerDuty integration, so no resolve is "
                           "ever sent"}
TO_DO = ("before deploying, look in PagerDuty for incidents open from this route (`obsgen apply` names the "
         "Alertmanager groups firing on it); deploy when none are, or resolve them by hand in PagerDuty right after")


@dataclass
class _Orphaned:
    """A base paging route whose incidents the head orphans: the alerts seen taking it and where they go now."""

    old: Grouping
    alerts: set[str] = field(default_factory=set)
    now: set[Grouping] = field(default_factory=set)


def _alert_labels(tree: OutTree) -> Iterator[dict[str, str]]:
    """The labels of every alerting rule as its ruler sends them; an escalation copy's are its alert's (which the
    copy reads from the alert's ALERTS series) and its own (alert_view does the same)."""
    sent: dict[str, dict[str, str]] = {}
    copies: list[dict[str, str]] = []
    for path, group in rule_groups(tree):
        for rule in group.get("rules") or ():
            if "alert" in rule:
                labels = {**external_labels(tree, is_loki(path)), "alertname": str(rule["alert"]),
                          **{str(k): str(v) for k, v in (rule.get("labels") or {}).items()}}
                if ESCALATION_LEVEL_LABEL in labels:
                    copies.append(labels)
                else:
                    sent.setdefault(labels["alertname"], labels)
    yield from sent.values()
    yield from ({**sent.get(copy["alertname"], {}), **copy} for copy in copies)


class _Sides:
    """Both sides' routes (read as the release each was built for reads them) and paging receivers."""

    def __init__(self, base: OutTree, head: OutTree) -> None:
        self.old, self.new = alertmanager_routes(base).tree, alertmanager_routes(head).tree
        self.old_paging = paging_receivers(base.document(CONFIG) or {})
        self.new_paging = paging_receivers(head.document(CONFIG) or {})


def _example(matchers: tuple[LabelMatcher, ...]) -> dict[str, str]:
    """Labels of an alert a route takes, from its matchers (and its parents') as its release read them: an
    equality's value, a regex's first alternative when it matches (else "x", which `.+` matches), no label for a
    negative matcher."""
    labels = {}
    for matcher in matchers:
        if matcher.op == "=":
            labels[matcher.name] = matcher.value
        elif matcher.op == "=~":
            labels[matcher.name] = next((candidate for candidate in (matcher.value.split("|")[0], "x")
                                         if matcher.holds({matcher.name: candidate})), "x")
    return labels


def _orphaned(base: OutTree, sides: _Sides) -> list[_Orphaned]:
    """Base paging routes the head orphans, found by routing base's alerts through both sides, then an example
    alert of each paging route none of them took (alerts sent from elsewhere)."""
    found: dict[tuple[str, str], _Orphaned] = {}
    reached: set[tuple[str, str]] = set()

    def route(labels: dict[str, str], alert: str) -> None:
        olds = groupings(sides.old, labels)
        reached.update((old.key, old.receiver) for old in olds if old.receiver in sides.old_paging)
        paging = sides.old_paging, sides.new_paging
        for orphan in orphans(olds, sides.new, labels, paging, complete=False):
            seen = found.setdefault((orphan.old.key, orphan.old.receiver), _Orphaned(orphan.old))
            seen.alerts.update([alert] if alert else [])
            seen.now.update(orphan.now)

    for labels in _alert_labels(base):
        route(labels, labels["alertname"])
    for old, matchers in every_route(sides.old):
        if old.receiver in sides.old_paging and (old.key, old.receiver) not in reached:
            route(_example(matchers), "")
    return list(found.values())


def _change(orphan: _Orphaned, sides: _Sides) -> Change:
    old, now = orphan.old, sorted(orphan.now, key=lambda route: (route.key, route.receiver))

    def services(routes: list[Grouping], paging: dict[str, frozenset[str]]) -> str:
        return "; ".join(f"{route.receiver} ({', '.join(sorted(paging[route.receiver]))})" for route in routes)

    fields = [FieldChange(KEY_PREFIX, f"{old.key}:", ", ".join(f"{route.key}:" for route in now)),
              FieldChange("group_by", old.grouped_by, ", ".join(sorted({route.grouped_by for route in now}))),
              FieldChange("pagerduty", services([old], sides.old_paging), services(now, sides.new_paging))]
    alerts = ", ".join(sorted(orphan.alerts)) or "none of out/'s rules (alerts sent from elsewhere may)"
    return Change(SECTION, "changed", f"{', '.join(old.matchers) or '(root route)'} -> {old.receiver}", CONFIG,
                  tuple(f for f in fields if f.old != f.new or f.field == KEY_PREFIX),
                  (WHY[Orphan(old, tuple(now)).how], f"alerts paging on it: {alerts}", TO_DO))


def compare_pagerduty_keys(base: OutTree, head: OutTree) -> list[Change]:
    """Paging routes of base whose alerts, on head, get another group key (so another dedup_key) or no longer page:
    their open incidents would never resolve."""
    sides = _Sides(base, head)
    if not sides.old_paging:
        return []
    return sorted((_change(orphan, sides) for orphan in _orphaned(base, sides)), key=lambda change: change.name)
