"""Renamed alerts: an alert removed and one added that are the same alert under a new name, and what the new name
does to the running system (silences, pending state, notifications, runbook links, what still names the old one).

The criterion is exact, never a guess across different expressions: a removed alert and an added one are a rename
when both are evaluated by the same ruler (Prometheus, or Loki's), their expressions are equal (canonical PromQL,
formatting aside), and they carry the same `plan_name` annotation (the plan's name for the alert, which a rename
keeps) or, when neither has one, the same labels; and when that key is one removed and one added alert's alone (two
removed alerts that could be the same added one are no rename: both stay a removal). Escalation copies of a renamed
alert ("CpuHigh escalation level 1" -> "HostCpuHigh escalation level 1") go with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from generator.analysis.diff.alert_view import AlertView
from generator.analysis.diff.changes import Change, OutTree, Table
from generator.analysis.diff.dashboards import DASHBOARDS_DIR
from generator.analysis.diff.rules import is_loki

RENAMED = "renamed"
PLAN_NAME = "annotations.plan_name"
RUNBOOK = "annotations.runbook_url"
_LEVEL = " escalation level "
_LISTED = 8
"""Paths still naming the old alert listed, the rest counted."""


@dataclass(frozen=True)
class Rename:
    """An alert's old and new name, and the escalation levels renamed with it."""

    old: str
    new: str
    levels: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How the diff names the rename."""
        return f"{self.old} -> {self.new}"


def _identity(where: str, fields: dict[str, str]) -> tuple[object, ...]:
    """What makes two differently named alerts one: ruler, canonical expression, then plan_name, else labels."""
    labels = tuple(sorted((k, v) for k, v in fields.items() if k.startswith("labels.")))
    return is_loki(where), fields["expr"], fields.get(PLAN_NAME) or labels


def _alerts(table: Table, names: set[str]) -> dict[str, tuple[object, ...]]:
    """The alerts among names (not escalation copies, not names several rules share) by identity."""
    return {name: _identity(*table[name]) for name in sorted(names) if _LEVEL not in name and " #" not in name}


def find_renames(old: Table, new: Table) -> list[Rename]:
    """Alerts of old that new has under another name, by the module's criterion, with their escalation levels."""
    removed = _alerts(old, old.keys() - new.keys())
    added = _alerts(new, new.keys() - old.keys())
    by_key: dict[tuple[object, ...], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for names, side in ((removed, 0), (added, 1)):
        for name, key in names.items():
            by_key[key][side].append(name)
    renames = []
    for was, now in by_key.values():
        if len(was) == 1 and len(now) == 1:
            levels = tuple(name.split(_LEVEL)[1] for name in sorted(old.keys() - new.keys())
                           if name.startswith(was[0] + _LEVEL) and f"{now[0]}{_LEVEL}{name.split(_LEVEL)[1]}" in new)
            renames.append(Rename(was[0], now[0], levels))
    return sorted(renames, key=lambda rename: rename.old)


def folded(change: Change, renames: list[Rename]) -> bool:
    """Whether a removal or addition is part of a rename (the alert itself or an escalation copy renamed with it)."""
    return change.action != "changed" and any(
        change.name in (name, *(f"{name}{_LEVEL}{level}" for level in rename.levels))
        for rename in renames for name in (rename.old, rename.new))


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def _naming(tree: OutTree, name: str, prefix: str = "") -> list[str]:
    """Paths under prefix of tree whose text names the alert (the name as a whole word)."""
    pattern = _word(name).search
    return sorted(path for path, data in tree.files.items()
                  if path.startswith(prefix) and pattern(data.decode(errors="replace")))


def _listed(paths: list[str]) -> str:
    more = len(paths) - _LISTED
    return ", ".join(paths[:_LISTED]) + (f" and {more} more" if more > 0 else "")


def consequences(rename: Rename, old: AlertView, new: AlertView, trees: tuple[OutTree, OutTree],
                 runbooks: tuple[str, str], ruler: str = "Prometheus") -> list[str]:
    """What renaming the alert does once deployed, said concisely, each a note of the rename's entry; ruler: what
    evaluates it (Prometheus, or Loki's ruler for a LogAlert), which keeps its state and sends it."""
    base, head = trees
    was, now = rename.old, rename.new
    waits = f"only after its for ({new.for_})" if new.for_ not in ("", "0s") else "at its next evaluation"
    escalation = (f", and its escalation starts over (level {new.escalations[0].level} after "
                  f"{new.escalations[0].after} again)" if new.escalations else "")
    receivers = ", ".join(delivery.receiver for delivery in old.deliveries) or "no receiver"
    notes = [
        f'silences and `obsgen ack` acknowledgements on alertname="{was}" stop matching: {now} notifies through '
        "them (acknowledge it again by its new name)",
        f"{now} starts pending from zero at the deploy ({ruler} keeps an alert's state by its name): a fault "
        f"firing as {was} pages again {waits}{escalation}",
        f"{ruler} stops sending {was}: Alertmanager resolves its open alerts when the end time last sent lapses "
        f"(a resolved notification on {receivers}, for receivers that send resolved), and {now} sends a new firing "
        "notification in a group of its own",
    ]
    old_runbook, new_runbook = runbooks
    gone = [path for path in base.files if path not in head.files and old_runbook.endswith("/" + path)]
    if old_runbook and old_runbook != new_runbook and gone:
        notes.append(f"runbook links in notifications already sent ({old_runbook}) 404 after the merge: "
                     f"{gone[0]} is removed")
    if dashboards := _naming(base, was, DASHBOARDS_DIR):
        notes.append(f"dashboards listing or linking it by name: {_listed(dashboards)} (their panels below)")
    if still := _naming(head, was):
        notes.append(f"still naming {was} after the rename: {_listed(still)}")
    return notes
