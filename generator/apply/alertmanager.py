"""Alertmanager: which files obsgen owns, and whether the running server loaded exactly them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from generator.apply.files import Files
from generator.apply.http import Api
from generator.apply.reload import Declared, Release, ReloadableServer, gauge, rebuild_for
from generator.apply.rules import document
from generator.core.alert_routing import RouteTree
from generator.core.group_key import Orphaning, groupings, label_set_string, orphans, paging_receivers
from generator.core.releases import declared_alertmanager, parse
from generator.core.wording import counted
from generator.model.stack import alertmanager_built_for, ui_decodes_filter

CONFIG = "alertmanager.yml"
TEMPLATE = "templates/obsgen.tmpl"
"""It says which Alertmanager release its links are escaped for (Stack.alertmanager_version)."""


def config_hash(data: bytes) -> float:
    """The alertmanager_config_hash gauge for a configuration file: its md5's first 48 bits, little-endian."""
    return float(int.from_bytes(hashlib.md5(data).digest()[:6], "little"))


def differences(api: Api, files: Files) -> list[str]:
    """How the running Alertmanager differs from these files; empty when it runs exactly them.

    The hash covers alertmanager.yml only: Alertmanager shows nothing of its templates, which amtool checked
    and which a reload that succeeded has parsed.
    """
    found = []
    if gauge(api, "alertmanager_config_last_reload_successful") != 1:
        found.append("its last configuration reload failed (alertmanager_config_last_reload_successful is not 1)")
    live, ours = gauge(api, "alertmanager_config_hash"), config_hash(files[CONFIG])
    if live != ours:
        found.append(f"alertmanager_config_hash is {live:.0f} on the server, {ours:.0f} for out/alertmanager/{CONFIG}"
                     if live is not None else "the server exposes no alertmanager_config_hash")
    return found


BECOMES = {
    Orphaning.PAGING_ENDS: "no longer reaches PagerDuty, so no resolve is sent:",
    Orphaning.SERVICE_CHANGES: "keeps its group key but pages another PagerDuty service (routing key), which never "
                               "saw it:",
}


def _orphaned(group: dict[str, Any], trees: tuple[RouteTree, RouteTree],
              paging: tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]) -> str:
    """What the new configuration does to the incident of one of the running Alertmanager's paging groups, "" if
    nothing: its alerts get another group key, so another dedup_key, or reach its PagerDuty no more. trees: the
    running and the new configuration's routes, both read as the running release (which will run the new one too);
    paging: their paging receivers. The group's alerts carry all their labels, so their keys are compared exactly."""
    receiver, grouped = str(group["receiver"]["name"]), {str(k): str(v) for k, v in group["labels"].items()}
    release = trees[0].release
    for alert in group.get("alerts") or ():
        labels = {str(k): str(v) for k, v in alert["labels"].items()}
        olds = [route for route in groupings(trees[0], labels)
                if route.receiver == receiver and route.group_labels(labels) == grouped]
        for orphan in orphans(olds, trees[1], labels, paging, complete=True):
            becomes = BECOMES.get(orphan.how) or (
                f"gets group key {' and '.join(route.group_key(labels) for route in orphan.now)} (was "
                f"{orphan.old.group_key(labels)}), so its events carry another dedup_key:")
            count = len(group["alerts"])
            return (f"PagerDuty group {label_set_string(grouped, release)} of receiver {receiver} "
                    f"({counted(count, 'alert')} firing, {labels.get('alertname', '')} among them) {becomes} "
                    "the incident it opened will not resolve from Alertmanager after this reload; resolve it by "
                    "hand in PagerDuty once its alerts end")
    return ""


def orphaned_incidents(api: Api, files: Files, status: Any) -> list[str]:
    """The running Alertmanager's alert groups (/api/v2/alerts/groups: receiver, group labels, alerts) paging
    PagerDuty under the configuration it runs (status: its /api/v2/status answer, config.original) whose incident
    reloading these files would orphan: their group key changes (generator.core.group_key) or they stop paging. Both
    texts are read within core.untrusted's bounds: the running one is a server's answer, and out/ may be anyone's."""
    if status is None:
        raise ValueError("its /api/v2/status could not be read before the copy")
    config = status.get("config") if isinstance(status, dict) else None
    running = api.yaml_in("/api/v2/status", "config.original", config.get("original") if isinstance(config, dict)
                          else None)
    new = document(CONFIG, files[CONFIG])
    paging = paging_receivers(running), paging_receivers(new)
    if not paging[0]:
        return []
    # a server that reports no release is taken to run the one out/ was built for
    release = _release(status) or alertmanager_built_for(files.get(TEMPLATE, b"").decode(errors="replace"))
    trees = (_read(running, release, "the running configuration (/api/v2/status)"),
             _read(new, release, f"out/alertmanager/{CONFIG}"))
    return [said for group in api.get("/api/v2/alerts/groups") or () if (said := _orphaned(group, trees, paging))]


def _read(config: dict[str, Any], release: str, where: str) -> RouteTree:
    """A configuration's routes as the running release reads them; ValueError saying which configuration and which
    route it would refuse (a regex obsgen's reader cannot compile, though that server's took it)."""
    try:
        return RouteTree.read(config.get("route") or {}, release)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _release(status: Any) -> str:
    """The release a /api/v2/status reports (versionInfo.version), "" when it reports none."""
    try:
        return parse(str(status.get("versionInfo", {}).get("version", "")))
    except (ValueError, AttributeError):
        return ""


PROFILE_SETTING = "Profile.alertmanager_version"
_SET_BY_PROFILE = re.compile(r'{{ define "obsgen\.links\.alertmanager_version_set_in" }}([^{}\n]{1,300}){{ end }}')
"""Where obsgen.tmpl says a build profile set its release (written only then: Stack.alertmanager_version else)."""


def _declared(source: Path | None, files: Files) -> Declared | None:
    """The release obsgen.tmpl among the files was built for (Stack.alertmanager_version, or a build profile's when
    it says so), None when it says none."""
    text = files.get(TEMPLATE, b"").decode(errors="replace")
    release = declared_alertmanager(text)
    if release is None:
        return None
    profiled = _SET_BY_PROFILE.search(text)
    return Declared(release, profiled[1], PROFILE_SETTING) if profiled else Declared(release)


SERVER = ReloadableServer(
    name="alertmanager",
    config=CONFIG,
    patterns=(CONFIG, "templates/*.tmpl"),
    validator=("amtool", "check-config"),
    differences=differences,
    release=Release(product="Alertmanager", setting="Stack.alertmanager_version", status="/api/v2/status",
                    running=_release, declared=_declared,
                    written="its notifications' links, group keys and regexes are written"),
    before_reload=orphaned_incidents,
)


def links_unreadable(status: Any, files: Files) -> str:
    """Why the running Alertmanager's UI reads the notifications' links otherwise than out/'s templates write them
    ("" when it reads them as written, or when either release is unknown): its UI decodes a link's filter value as
    JSON from 0.32.0 (prometheus/alertmanager#4862) and keeps it as written before, and its /api/v2/status answer
    (status, None when it could not be read) reports the running release (versionInfo.version)."""
    running = _release(status)  # _release(None): ""
    declared = _declared(None, files)
    if not running or declared is None or ui_decodes_filter(running) == ui_decodes_filter(declared.release):
        return ""
    if ui_decodes_filter(running):
        reads, fails = "decodes as JSON", "a value with a control character opens an empty silence form"
    else:
        reads, fails = "keeps as written", ("a value with a control character, \" or \\ opens a silence form for "
                                            "another value, unwarned")
    return (f"the server runs Alertmanager {running}, whose UI {reads} the filter values of the notifications' silence "
            f"and alert links, escaped in out/alertmanager/{TEMPLATE} for {declared.release}"
            f"{f' ({declared.set_in})' if declared.set_in else ''}: {fails}; "
            f"{rebuild_for(declared.setting or SERVER.release.setting, SERVER.release.product, running)}")
