"""Alertmanager: which files obsgen owns, and whether the running server loaded exactly them."""

from __future__ import annotations

import hashlib
import re

from generator.apply.files import Files
from generator.apply.http import Api
from generator.apply.reload import ReloadableServer, gauge
from generator.core.releases import RELEASE, parse
from generator.model.stack import ui_decodes_filter

CONFIG = "alertmanager.yml"
TEMPLATE = "templates/obsgen.tmpl"
LINKS_RELEASE = re.compile(r'{{ define "obsgen\.links\.alertmanager_version" }}(' + RELEASE + '){{ end }}')
"""Where obsgen.tmpl says which Alertmanager release its links are escaped for (Stack.alertmanager_version)."""


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


SERVER = ReloadableServer(
    name="alertmanager",
    config=CONFIG,
    patterns=(CONFIG, "templates/*.tmpl"),
    validator=("amtool", "check-config"),
    differences=differences,
)


def links_unreadable(api: Api, files: Files) -> str:
    """Why the running Alertmanager's UI reads the notifications' links otherwise than out/'s templates write them
    ("" when it reads them as written, or when either release is unknown): its UI decodes a link's filter value as
    JSON from 0.32.0 (prometheus/alertmanager#4862) and keeps it as written before, and /api/v2/status reports the
    running release (versionInfo.version)."""
    declared = LINKS_RELEASE.search(files.get(TEMPLATE, b"").decode(errors="replace"))
    try:
        running = parse(str(api.get("/api/v2/status").get("versionInfo", {}).get("version", "")))
    except (ValueError, AttributeError):
        return ""
    if declared is None or ui_decodes_filter(running) == ui_decodes_filter(declared[1]):
        return ""
    if ui_decodes_filter(running):
        reads, fails = "decodes as JSON", "a value with a control character opens an empty silence form"
    else:
        reads, fails = "keeps as written", ("a value with a control character, \" or \\ opens a silence form for "
                                            "another value, unwarned")
    return (f"the server runs Alertmanager {running}, whose UI {reads} the filter values of the notifications' silence "
            f"and alert links, escaped in out/alertmanager/{TEMPLATE} for {declared[1]}: {fails}; set "
            f'Stack.alertmanager_version="{running}" and rebuild')
