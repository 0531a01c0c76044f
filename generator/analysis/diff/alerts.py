"""Alerting rules compared, each alert shown whole: what it watches, whom it pages, how fast, and what a change
to it does to who is told (receivers and timings gained or lost, escalation included)."""

from __future__ import annotations

from dataclasses import replace

from generator.analysis.diff.alert_view import BOUND, alert_view, routing_consequences
from generator.analysis.diff.changes import Change, FieldChange, OutTree, compare_fields, compare_keyed
from generator.analysis.diff.rules import rule_table


def _explained(change: Change, base: OutTree, head: OutTree) -> Change:
    name = change.name.split(" #")[0]
    old = alert_view(base, name) if change.action != "added" else None
    new = alert_view(head, name) if change.action != "removed" else None
    if change.action == "added" and new is not None:
        return replace(change, fields=tuple(FieldChange(key, "", value) for key, value in new.fields().items()))
    if change.action == "removed" and old is not None:
        return replace(change, fields=tuple(FieldChange(key, value, "") for key, value in old.fields().items()))
    if old is None or new is None:
        return change
    bound = compare_fields({BOUND: old.fields()[BOUND]}, {BOUND: new.fields()[BOUND]})
    return replace(change, fields=change.fields + bound, notes=tuple(routing_consequences(old, new)))


def compare_alerts(base: OutTree, head: OutTree) -> list[Change]:
    """Alerting rules added or removed (shown whole), or changed in expr, for, labels or annotations and so in
    whom they reach."""
    changes = compare_keyed("alerts", rule_table(base, "alert"), rule_table(head, "alert"))
    return [_explained(change, base, head) for change in changes]
