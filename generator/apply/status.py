"""`obsgen status`: whether the running servers run what out/ holds, and what is firing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from generator.apply import alertmanager, disk, grafana, prometheus, reload
from generator.apply.files import Files, collect
from generator.apply.grafana_api import Grafana
from generator.apply.http import Api, ApiError, Unreachable
from generator.apply.outcome import Finding, Kind
from generator.apply.rules import MalformedFile
from generator.core.releases import PROMETHEUS_DECLARED_FILE
from generator.core.wording import counted

SHOWN_LABELS = ("severity", "instance", "service", "escalation_level")


def _drift(server: str, out: Path, differences: list[str], in_sync: str) -> list[Finding]:
    if not differences:
        return [Finding(server, Kind.OK, str(out / server), in_sync)]
    return [Finding(server, Kind.DRIFT, str(out / server), difference) for difference in differences]


def _release(server: reload.ReloadableServer, status: object, out: Path, files: Files) -> list[Finding]:
    """Whether out/<server> was built for another X.Y than the server runs, given its answer at release.status
    (None when it gave none), in the words of apply's refusal."""
    other = reload.other_release(server, status, out / server.name, files)
    return [Finding(server.name, Kind.ERROR, "release", other)] if other else []


def prometheus_status(api: Api, out: Path) -> list[Finding]:
    """Configuration and rules against out/prometheus, the release it was built for, rules whose last evaluation
    failed, firing alerts."""
    files = collect(out / "prometheus", prometheus.SERVER.patterns)
    try:
        expected = prometheus.expected_groups(files)
    except MalformedFile as error:  # out/ is read before any server: one error line, not a traceback
        raise error.under(out / "prometheus") from None
    rule_count = sum(len(group.rules) for group in expected.values())
    findings = _drift("prometheus", out, prometheus.differences(api, files),
                      f"prometheus.yml loaded; {counted(len(expected), 'rule group')}, "
                      f"{counted(rule_count, 'rule')} as in out/")
    declared = collect(out / "prometheus", (PROMETHEUS_DECLARED_FILE,))  # read through links, as out/ is here
    findings += _release(prometheus.SERVER, reload.read_status(prometheus.SERVER, api), out, files | declared)
    if expected:
        for group in api.get("/api/v1/rules")["data"]["groups"]:
            findings += [Finding("prometheus", Kind.ERROR, f"rule {rule['name']} (group {group['name']})",
                                 f"last evaluation failed: {rule.get('lastError', '')}")
                         for rule in group["rules"] if rule.get("health") == "err"]
    alerts = api.get("/api/v1/alerts")["data"]["alerts"]
    for alert in sorted(alerts, key=lambda a: sorted(a["labels"].items())):
        if alert["state"] == "firing":
            labels = ", ".join(f"{k}={alert['labels'][k]}" for k in SHOWN_LABELS if k in alert["labels"])
            findings.append(Finding("prometheus", Kind.FIRING, alert["labels"]["alertname"],
                                    f"{labels}; active since {alert.get('activeAt', '?')}"))
    return findings


def alertmanager_status(api: Api, out: Path) -> list[Finding]:
    """alertmanager.yml's hash against the loaded one, the release it was built for, and how many alerts are active,
    silenced, inhibited."""
    files = collect(out / "alertmanager", alertmanager.SERVER.patterns)
    loaded = f"alertmanager.yml loaded (config hash {alertmanager.config_hash(files[alertmanager.CONFIG]):.0f})"
    findings = _drift("alertmanager", out, alertmanager.differences(api, files), loaded)
    answer = reload.read_status(alertmanager.SERVER, api)  # asked once, for both checks
    findings += _release(alertmanager.SERVER, answer, out, files)
    unreadable = alertmanager.links_unreadable(answer, files)
    if unreadable:  # no reload mends it: the server runs out/, whose links fail on its UI
        findings.append(Finding("alertmanager", Kind.ERROR, "links", unreadable))
    alerts = api.get("/api/v2/alerts")
    states = [a.get("status", {}).get("state", "") for a in alerts]
    findings.append(Finding("alertmanager", Kind.NOTE, "alerts",
                            f"{states.count('active')} active, {states.count('suppressed')} silenced or inhibited"))
    return findings


def _read(server: str, read: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return read()
    except (ApiError, Unreachable) as error:
        return [Finding(server, Kind.UNREADABLE, server, str(error))]


def status(out: Path, prometheus_api: Api | None, alertmanager_api: Api | None,
           grafana_api: Api | None) -> list[Finding]:
    """Every finding for the servers given."""
    findings: list[Finding] = []
    if alertmanager_api is not None:
        findings += _read("alertmanager", lambda: alertmanager_status(alertmanager_api, out))
    if prometheus_api is not None:
        findings += _read("prometheus", lambda: prometheus_status(prometheus_api, out))
    if grafana_api is not None:
        findings += _read("grafana", lambda: grafana.status(Grafana(grafana_api), out))
    return findings


def files_on_disk(out: Path, directories: dict[str, Path | None], apis: dict[str, Api | None]) -> list[Finding]:
    """For each server whose configuration directory is given, its files against out/ and its last reload; for an
    Alertmanager without one, a note that its templates were not compared (its API shows none of them)."""
    findings: list[Finding] = []
    for server in (alertmanager.SERVER, prometheus.SERVER):
        directory, api = directories.get(server.name), apis.get(server.name)
        if directory is not None:
            findings += _read(server.name, functools.partial(disk.on_disk, server, out, directory, api))
        elif server is alertmanager.SERVER and api is not None:
            findings.append(Finding(server.name, Kind.NOTE, "templates",
                                    "not compared: Alertmanager shows none of them; give --alertmanager-dir"))
    return findings
