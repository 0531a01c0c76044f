"""Dashboards in out/grafana/dashboards/<folder>/<uid>.json put into Grafana through its HTTP API.

How obsgen tells that someone edited a dashboard in Grafana: Grafana keeps a history of saved versions,
each with the message the saver gave. obsgen saves with a message starting "obsgen apply", so the newest
version carrying that message is the version obsgen last applied. If the live dashboard's version is newer,
someone saved it since (in the UI, or through the API), and obsgen refuses to overwrite it without --force.
The record lives in Grafana itself, so it holds whichever machine or CI job applied last. Content alone could
not tell "out/ changed" from "Grafana changed"; the version alone, without the message, could not tell whose
save it was. Whether anything needs uploading is decided by content: the live dashboard without its id and
version against the file; equal means unchanged and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from generator.apply.files import MAX_BYTES
from generator.apply.grafana_api import Folder, Grafana, LiveDashboard
from generator.apply.http import ApiError
from generator.apply.outcome import Action, Finding, Kind, Outcome
from generator.core.bounded_read import read_bounded
from generator.core.untrusted import error_line, load_json
from generator.model.identity import dashboard_uid

DASHBOARDS = "grafana/dashboards"
MESSAGE = "obsgen apply"
SERVER = "grafana"
GRAFANA_MANAGED = ("id", "version")  # fields Grafana sets on every save
ROOT_FOLDER = "general"
"""Grafana's root folder (title General, uid general): not in GET /api/folders, and Grafana refuses to create
it; a dashboard saved without folderUid is in it. The folder a Dashboard has by default."""


class ApplyInputError(ValueError):
    """out/ holds something obsgen cannot apply."""


@dataclass(frozen=True)
class LocalDashboard:
    """A dashboard file under out/grafana/dashboards/."""

    path: str
    """Relative to out/grafana/dashboards/, e.g. operations/operations.json."""
    folder: str
    """Folder title (the directory name); "" for the root folder."""
    uid: str
    title: str
    body: dict[str, Any]

    @property
    def label(self) -> str:
        """How reports name it."""
        return f"{self.path} ({self.title})"


def local_dashboards(out: Path) -> list[LocalDashboard]:
    """Every dashboard file in out/, checked to carry a uid and a title."""
    root = out / DASHBOARDS
    found = []
    for path in sorted(root.rglob("*.json")):
        relative = path.relative_to(root)
        if len(relative.parts) > 2:
            raise ApplyInputError(f"{path}: dashboards live in {DASHBOARDS}/<folder>/<uid>.json, one folder deep")
        try:  # as out/'s other files: a regular file, never through a link (apply would upload what it points at)
            text = read_bounded(path, MAX_BYTES, follow_links=False).decode("utf-8")
        except (OSError, ValueError) as error:
            raise ApplyInputError(f"{path}: {getattr(error, 'strerror', None) or error}") from None
        try:  # bounded in nesting, a key written twice refused: which one Grafana would keep is a guess
            body = load_json(text)
        except ValueError as error:
            line = error_line(error)
            raise ApplyInputError(f"{path}{f':{line}' if line else ''}: cannot apply it: {error}") from None
        if not isinstance(body, dict) or not body.get("uid") or not body.get("title"):
            raise ApplyInputError(f"{path}: a dashboard needs a uid and a title")
        folder = relative.parts[0] if len(relative.parts) == 2 else ""
        found.append(LocalDashboard(relative.as_posix(), folder, str(body["uid"]), str(body["title"]), body))
    return found


def content(dashboard: dict[str, Any]) -> dict[str, Any]:
    """What a dashboard says, without the fields Grafana manages."""
    return {key: value for key, value in dashboard.items() if key not in GRAFANA_MANAGED}


class State(StrEnum):
    """How a dashboard in Grafana relates to its file in out/."""

    MISSING = "missing"
    IN_SYNC = "in sync"
    OUT_CHANGED = "out/ changed"
    """Grafana holds what obsgen last applied; out/ has changed since."""
    EDITED = "edited in Grafana"
    """Someone other than obsgen saved the live version."""
    PROVISIONED = "provisioned"
    """Loaded by Grafana from files; the API cannot save it."""


@dataclass(frozen=True)
class Comparison:
    """One dashboard file against Grafana."""

    local: LocalDashboard
    state: State
    live: LiveDashboard | None
    detail: str


def _changed(local: LocalDashboard, live: LiveDashboard, folder_uid: str) -> list[str]:
    ours, theirs = content(local.body), content(live.dashboard)
    keys = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    return keys + (["folder"] if live.folder_uid != folder_uid else [])


def compare(grafana: Grafana, local: LocalDashboard, folder_uid: str, exists: bool) -> Comparison:
    """Where a dashboard file stands in Grafana; reads the version history only when the content differs."""
    live = grafana.dashboard(local.uid) if exists else None
    if live is None:
        return Comparison(local, State.MISSING, None, "not in Grafana")
    changed = _changed(local, live, folder_uid)
    if not changed:
        return Comparison(local, State.IN_SYNC, live, f"version {live.version}")
    differs = f"differs in {', '.join(changed)}"
    if live.provisioned:
        return Comparison(local, State.PROVISIONED, live, f"{differs}; Grafana provisions it from files, the API "
                                                          "cannot save it: update the provisioned files instead")
    history = grafana.versions(local.uid)
    ours = next((v for v in history if v.message.startswith(MESSAGE)), None)
    if ours is not None and ours.version == live.version:
        return Comparison(local, State.OUT_CHANGED, live, f"{differs}; Grafana has version {live.version}, "
                                                          "as obsgen applied it")
    newest = history[0] if history else None
    saved = (f"version {live.version} saved by {newest.created_by or 'unknown'} at {newest.created}" if newest
             else f"version {live.version} saved by {live.updated_by or 'unknown'}")
    applied = f"obsgen applied version {ours.version}" if ours else "obsgen never saved it"
    return Comparison(local, State.EDITED, live, f"{differs}; {saved}, {applied}")


def folder_uids(grafana: Grafana, titles: set[str], create: bool) -> tuple[dict[str, str], list[Outcome]]:
    """The uid of each folder (found by its derived uid, else by title), creating missing ones when asked."""
    existing: list[Folder] = grafana.folders()
    by_uid = {f.uid: f for f in existing}
    by_title = {f.title: f for f in existing}
    uids: dict[str, str] = {"": ""}
    outcomes: list[Outcome] = []
    for title in sorted(titles - {""}):
        uid = dashboard_uid(title)
        if title.casefold() == ROOT_FOLDER:
            uids[title] = ""
        elif uid in by_uid:
            uids[title] = uid
        elif title in by_title:
            uids[title] = by_title[title].uid
        else:
            uids[title] = grafana.create_folder(uid, title).uid if create else uid
            outcomes.append(Outcome(SERVER, f"folder {title}", Action.CREATED, f"uid {uid}", planned=not create))
    return uids, outcomes


def _save(grafana: Grafana, comparison: Comparison, folder_uid: str, force: bool) -> Outcome:
    local, live = comparison.local, comparison.live
    body = {**content(local.body), "id": live.dashboard.get("id") if live else None}
    if live is not None:
        body["version"] = live.version  # Grafana refuses the save (412) if someone saved a newer version
    subject = local.label
    try:
        version = grafana.save(body, folder_uid, f"{MESSAGE} from {DASHBOARDS}/{local.path}",
                               overwrite=force and comparison.state == State.EDITED)
    except ApiError as error:
        if error.status == 412 and isinstance(error.body, dict) and error.body.get("status") == "version-mismatch":
            return Outcome(SERVER, subject, Action.FAILED, "someone saved it in Grafana while obsgen was applying "
                                                           "it; nothing overwritten, run obsgen apply again")
        return Outcome(SERVER, subject, Action.FAILED, error.message)
    if live is None:
        return Outcome(SERVER, subject, Action.CREATED, f"version {version}")
    return Outcome(SERVER, subject, Action.UPDATED, f"{comparison.detail}; now version {version}")


def _apply_one(grafana: Grafana, comparison: Comparison, folder_uid: str, force: bool, dry_run: bool) -> Outcome:
    subject, state = comparison.local.label, comparison.state
    if state == State.IN_SYNC:
        return Outcome(SERVER, subject, Action.UNCHANGED, comparison.detail, planned=dry_run)
    if state == State.PROVISIONED or (state == State.EDITED and not force):
        hint = "" if state == State.PROVISIONED else "; not overwritten: --force replaces it with out/"
        return Outcome(SERVER, subject, Action.REFUSED, comparison.detail + hint, planned=dry_run)
    if dry_run:
        action = Action.CREATED if state == State.MISSING else Action.UPDATED
        return Outcome(SERVER, subject, action, comparison.detail, planned=True)
    return _save(grafana, comparison, folder_uid, force)


def apply(grafana: Grafana, out: Path, force: bool = False, dry_run: bool = False) -> list[Outcome]:
    """Create folders, then create or update each dashboard that differs, guarded by its version."""
    dashboards = local_dashboards(out)
    if not dashboards:
        return [Outcome(SERVER, str(out / DASHBOARDS), Action.UNCHANGED, "no dashboard files; nothing to apply")]
    uids, outcomes = folder_uids(grafana, {d.folder for d in dashboards}, create=not dry_run)
    existing = grafana.dashboards()
    for local in dashboards:
        comparison = compare(grafana, local, uids[local.folder], local.uid in existing)
        outcomes.append(_apply_one(grafana, comparison, uids[local.folder], force, dry_run))
    return outcomes


def status(grafana: Grafana, out: Path) -> list[Finding]:
    """Each dashboard file against Grafana, and dashboards in obsgen's folders that out/ does not hold."""
    dashboards = local_dashboards(out)
    if not dashboards:
        return [Finding(SERVER, Kind.NOTE, str(out / DASHBOARDS), "no dashboard files to compare")]
    uids, _ = folder_uids(grafana, {d.folder for d in dashboards}, create=False)
    existing = grafana.dashboards()
    findings = []
    for local in dashboards:
        comparison = compare(grafana, local, uids[local.folder], local.uid in existing)
        kind = Kind.OK if comparison.state == State.IN_SYNC else Kind.DRIFT
        findings.append(Finding(SERVER, kind, local.label, f"{comparison.state.value}: {comparison.detail}"))
    ours = {d.uid for d in dashboards}
    managed = {uid for uid in uids.values() if uid}  # the root folder holds everyone's dashboards
    findings += [Finding(SERVER, Kind.NOTE, f"{hit.uid} ({hit.title})", "in an obsgen folder but not in out/; "
                         "obsgen apply leaves it alone")
                 for hit in existing.values() if hit.folder_uid in managed and hit.uid not in ours]
    return findings
