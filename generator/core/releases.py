"""A server's release, X.Y.Z, as its --version prints it or its API reports it."""

from __future__ import annotations

import re
from functools import lru_cache

RELEASE = r"\d+\.\d+\.\d+"
"""A release as obsgen declares and compares them: X.Y.Z."""
PROMETHEUS_VERSION = "3.15.0"  # the image stacks/docker-compose.yml pins
"""The Prometheus release a Stack declares unless it says otherwise (Stack.prometheus_version)."""
PROMETHEUS_GO_1_22 = "2.51.0"
ALERTMANAGER_GO_1_22 = "0.28.0"
"""The first releases of Prometheus and Alertmanager built with Go 1.22 or later: Prometheus' main branch built with
1.22 from 2024-03-03 (prometheus/test-infra#655), after 2.50.0 (2024-02-22, Go 1.21), before 2.51.0 (2024-03-18);
Alertmanager moved to 1.22 on 2024-08-12 and 1.23 in October (prometheus/alertmanager#3951, #4071), after 0.27.0
(2024-02, Go 1.21), before 0.28.0. A regex of theirs is read by that Go's regexp, which takes `(?<name>re)` from
1.22 on and refuses it before ("invalid or unsupported Perl syntax: `(?<`"), as Alertmanager 0.25 and Prometheus 2.42
here (Debian's builds, Go 1.19) do."""
VERSION = re.compile(r"(?:\bversion:?\s+|^)v?(\d+)\.(\d+)\.(\d+)")
"""X.Y.Z where a Prometheus server prints its release (prometheus/common version.Print: "NAME, version 0.25.0
(branch: ...)") or where a version string starts (Alertmanager's /api/v2/status versionInfo.version: "0.25.0"): a v
prefix or a pre-release suffix (0.27.0-rc.0) is not part of it."""


def parse(printed: str) -> str:
    """X.Y.Z of what a server printed or reported; ValueError if it names no release."""
    found = VERSION.search(printed.strip())
    if found is None:
        raise ValueError(f"no version in {printed.strip()[:200]!r}")
    return ".".join(str(int(part)) for part in found.groups())


@lru_cache(maxsize=64)
def ordered(release: str) -> tuple[int, ...]:
    """X.Y.Z as numbers, to compare releases (kept: a group key's form is asked of the release per route)."""
    return tuple(int(part) for part in release.split("."))


_ALERTMANAGER_DECLARED = re.compile(r'{{ define "obsgen\.links\.alertmanager_version" }}(' + RELEASE + '){{ end }}')
"""Where out/alertmanager/templates/obsgen.tmpl says which Alertmanager release the build targets
(Stack.alertmanager_version, or a profile's)."""


def declared_alertmanager(template: str) -> str | None:
    """The Alertmanager release obsgen.tmpl was built for, None when the text does not say."""
    found = _ALERTMANAGER_DECLARED.search(template)
    return found[1] if found else None


PROMETHEUS_DECLARED_FILE = "release.yml"
"""Beside prometheus.yml in out/prometheus: the Prometheus release the build targets (Stack.prometheus_version, or a
profile's), as obsgen.tmpl says Alertmanager's. apply reads it from out/ and never copies it to the server."""
_PROMETHEUS_DECLARED = re.compile(r"^prometheus_version: '?(" + RELEASE + ")'?$", re.MULTILINE)


def declared_prometheus(text: str) -> str | None:
    """The Prometheus release out/prometheus/release.yml says the build targets, None when the text does not say."""
    found = _PROMETHEUS_DECLARED.search(text)
    return found[1] if found else None


_PROMETHEUS_SET_IN = re.compile(r"^set_in: ('?)([^\n]{1,300})\1$", re.MULTILINE)
_PROMETHEUS_SETTING = re.compile(r"^setting: ((?:Stack|Profile)\.prometheus_version)$", re.MULTILINE)


def prometheus_set_in(text: str) -> tuple[str, str] | None:
    """Where out/prometheus/release.yml says its release was set (the Stack's field at file:line, its default, a build
    profile) and the setting that changes it; None when the text does not say (an out/ built before it did)."""
    where, setting = _PROMETHEUS_SET_IN.search(text), _PROMETHEUS_SETTING.search(text)
    if where is None or setting is None:
        return None
    return (where[2].replace("''", "'") if where[1] else where[2]), setting[1]
