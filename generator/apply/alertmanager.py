"""Alertmanager: which files obsgen owns, and whether the running server loaded exactly them."""

from __future__ import annotations

import hashlib

from generator.apply.files import Files
from generator.apply.http import Api
from generator.apply.reload import ReloadableServer, gauge

CONFIG = "alertmanager.yml"


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
