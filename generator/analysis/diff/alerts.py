"""Alerting rules compared, each alert shown whole: what it watches, whom it pages, how fast, and what a change
to it does to who is told (receivers and timings gained or lost, escalation included); a renamed alert (renames)
shown as one entry saying what the new name does to the running system."""

from __future__ import annotations

from dataclasses import replace

from generator.analysis.diff.alert_view import BOUND, alert_view, routing_consequences
from generator.analysis.diff.changes import Change, FieldChange, OutTree, Table, compare_fields, compare_keyed
from generator.analysis.diff.renames import RENAMED, RUNBOOK, Rename, consequences, find_renames, folded
from generator.analysis.diff.rules import is_loki, rule_table


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


def _renamed(rename: Rename, old: Table, new: Table, base: OutTree, head: OutTree) -> Change:
    """One entry for a renamed alert: the fields that changed beside its name, and what the rename does."""
    (_, was), (where, now) = old[rename.old], new[rename.new]
    before, after = alert_view(base, rename.old), alert_view(head, rename.new)
    fields = compare_fields(was, now)
    if before is None or after is None:  # rule_table found both: never
        return Change("alerts", RENAMED, rename.name, where, fields)
    fields += compare_fields({BOUND: before.fields()[BOUND]}, {BOUND: after.fields()[BOUND]})
    levels = [f"its escalation copies (level {', '.join(rename.levels)}) renamed with it"] if rename.levels else []
    notes = consequences(rename, before, after, (base, head), (was.get(RUNBOOK, ""), now.get(RUNBOOK, "")),
                         "Loki's ruler" if is_loki(where) else "Prometheus")
    return Change("alerts", RENAMED, rename.name, where, fields,
                  tuple(levels + routing_consequences(before, after) + notes))


def compare_alerts(base: OutTree, head: OutTree) -> list[Change]:
    """Renamed alerts first (one entry each), then alerting rules added or removed (shown whole), or changed in
    expr, for, labels or annotations and so in whom they reach."""
    old, new = rule_table(base, "alert"), rule_table(head, "alert")
    renames = find_renames(old, new)
    changes = [change for change in compare_keyed("alerts", old, new) if not folded(change, renames)]
    return ([_renamed(rename, old, new, base, head) for rename in renames]
            + [_explained(change, base, head) for change in changes])
