"""The release of an installed server, as its --version prints it: the live stack builds for what it runs."""

from __future__ import annotations

import functools
import subprocess

from generator.core.releases import parse

ALERTMANAGER = "prometheus-alertmanager"
"""Debian's name of the Alertmanager binary, which the live stack starts."""
PROMETHEUS = "prometheus"
"""The Prometheus binary the live stack starts (Debian's name too)."""


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
