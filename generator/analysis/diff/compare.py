"""The diff of two sides: every registered comparer over both outputs, and the files touched."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.analysis.diff.alerts import compare_alerts
from generator.analysis.diff.changes import Change, Comparer, OutTree
from generator.analysis.diff.dashboards import compare_dashboards, compare_panels
from generator.analysis.diff.files import TouchedFiles, touched_files
from generator.analysis.diff.pagerduty import compare_pagerduty_keys
from generator.analysis.diff.routing import compare_inhibitions, compare_receivers, compare_routes
from generator.analysis.diff.rules import compare_recording_rules
from generator.analysis.diff.sides import build_sides, prepare

COMPARERS: tuple[Comparer, ...] = (
    compare_pagerduty_keys, compare_alerts, compare_recording_rules, compare_routes, compare_receivers,
    compare_inhibitions, compare_dashboards, compare_panels,
)
"""In report order (incidents a deploy would orphan first); each compares one kind of generated document."""


@dataclass(frozen=True)
class Failure:
    """A part of a picture that did not draw: where (the side, and the panel and query or the browser's console)
    and what was said."""

    where: str
    error: str


@dataclass(frozen=True)
class Picture:
    """A changed dashboard's title and its picture on each side where it exists."""

    title: str
    before: Path | None
    after: Path | None
    failures: tuple[Failure, ...] = ()
    """What did not draw: a picture with any is incomplete, and a reviewer must not read a line missing from it as
    the change's doing."""


@dataclass(frozen=True)
class Drawing:
    """The pictures obsgen diff --images drew, and where their data came from: a reviewer tells synthetic
    history from their own systems' by it."""

    pictures: tuple[Picture, ...]
    prometheus: str
    """The Prometheus asked, as a URL without its password; "" for a temporary one holding demo history."""
    until: float
    """Unix seconds: "now" in every dashboard's time range (each range ends there unless its own `to` says
    otherwise)."""
    until_given: bool
    """Whether --at set `until` (else it is when the pictures were drawn)."""


Draw = Callable[[OutTree, OutTree], Drawing]
"""Draws the dashboards that differ between two built trees (obsgen diff --images plugs one in)."""


@dataclass(frozen=True)
class DiffReport:
    """What changed from base to head."""

    base: str
    head: str
    changes: tuple[Change, ...]
    files: TouchedFiles
    drawing: Drawing | None = None
    """The changed dashboards' pictures, with --images."""

    @property
    def changed(self) -> bool:
        """Whether anything at all differs."""
        return bool(self.changes) or bool(len(self.files))


def compare_trees(base: OutTree, head: OutTree, labels: tuple[str, str]) -> DiffReport:
    """Compare two generated out/ directories."""
    changes = tuple(change for comparer in COMPARERS for change in comparer(base, head))
    return DiffReport(labels[0], labels[1], changes, touched_files(base, head))


def diff(repo: Path, base_ref: str, head_ref: str, definitions: Path, draw: Draw | None = None) -> DiffReport:
    """Build base_ref and head_ref ("" = work tree) of repo in temporary directories and compare them; draw the
    changed dashboards of both builds when asked."""
    with tempfile.TemporaryDirectory(prefix="obsgen-diff-") as scratch:
        base = prepare(repo, base_ref, definitions, Path(scratch), "base")
        head = prepare(repo, head_ref, definitions, Path(scratch), "head")
        build_sides(base, head)
        trees = OutTree(base.out), OutTree(head.out)
        report = compare_trees(*trees, (base.label, head.label))
        return replace(report, drawing=draw(*trees)) if draw else report
