"""The release of an installed server, as its --version prints it: the live stack builds for what it runs."""

from __future__ import annotations

import functools
import re
import subprocess

ALERTMANAGER = "prometheus-alertmanager"
"""Debian's name of the Alertmanager binary, which the live stack starts."""
VERSION = re.compile(r"\bversion:?\s+v?(\d+)\.(\d+)\.(\d+)")
"""X.Y.Z where a Prometheus server prints its release (prometheus/common version.Print: "NAME, version 0.25.0
(branch: ...)"): a v prefix or a pre-release suffix (0.27.0-rc.0) is not part of it."""


def parse(printed: str) -> str:
    """X.Y.Z of what `--version` printed; ValueError if it names no release."""
    found = VERSION.search(printed)
    if found is None:
        raise ValueError(f"no version in {printed.strip()[:200]!r}")
    return ".".join(str(int(part)) for part in found.groups())


@functools.cache
def installed(binary: str = ALERTMANAGER) -> str:
    """X.Y.Z of the installed binary (asked once per process); RuntimeError if it cannot tell."""
    try:
        ran = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeError(f"`{binary} --version` did not run: {error}") from None
    try:  # kingpin prints the version on stderr in older releases, stdout in newer ones
        return parse(ran.stdout + "\n" + ran.stderr)
    except ValueError as error:
        raise RuntimeError(f"`{binary} --version` (exit {ran.returncode}) tells no release: {error}") from None
