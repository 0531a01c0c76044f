"""`obsgen status`: whether the running servers run what out/ holds, what is firing and what is acknowledged.

What an on-call reads during an incident: the firing alerts (the always-firing heartbeat apart: its line says whether
it fires, as it should), and each acknowledgement (`obsgen ack`: a silence) with its author, its end and the
escalation levels it holds back, read as `obsgen ack --list` reads them.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.apply import alertmanager, disk, grafana, prometheus, reload, silences
from generator.apply.files import Files, collect
from generator.apply.grafana_api import Grafana
from generator.apply.http import Api, ApiError, Unreachable
from generator.apply.outcome import Finding, Kind
from generator.apply.rules import MalformedFile, document
from generator.core.duration import format_seconds
from generator.core.matcher_text import classic_matcher
from generator.core.releases import PROMETHEUS_DECLARED_FILE
from generator.core.wording import counted
from generator.derive.dispatch_start import resend_period
from generator.model.conventions import ESCALATION_LEVEL_LABEL, ESCALATION_POLICY_LABEL, SEVERITY_LABEL

SHOWN_LABELS = ("severity", "instance", "service", "escalation_level")
HEARTBEAT_WAIT = "0s"
"""A dead man's switch's route tells its receiver at once (model.notify.heartbeat_timing)."""
NOT_HEARTBEAT = frozenset({SEVERITY_LABEL, ESCALATION_POLICY_LABEL, ESCALATION_LEVEL_LABEL})
"""Labels only the other routes match on (an alert's override, its severity, an escalation level)."""
HEARTBEAT_GRACE = 180.0
"""Seconds an Alertmanager may run before it must hold the heartbeat, at least: Prometheus sends a firing alert again
every --rules.alert.resend-delay (1m by default), at the next evaluation after it, and one started with it drops its
first send, made before it discovered the Alertmanagers; 3 minutes covers both up to a 1m interval, and
heartbeat_graces more for a slower group."""


def _drift(server: str, out: Path, differences: list[str], in_sync: str) -> list[Finding]:
    if not differences:
        return [Finding(server, Kind.OK, str(out / server), in_sync)]
    return [Finding(server, Kind.DRIFT, str(out / server), difference) for difference in differences]


def _release(server: reload.ReloadableServer, status: object, out: Path, files: Files) -> list[Finding]:
    """Whether out/<server> was built for another X.Y than the server runs, given its answer at release.status
    (None when it gave none), in the words of apply's refusal."""
    other = reload.other_release(server, status, out / server.name, files)
    return [Finding(server.name, Kind.ERROR, "release", other)] if other else []


def heartbeat_routes(out: Path) -> dict[str, list[tuple[str, str, str]]]:
    """out/'s heartbeat alerts (Watchdog: always firing, a dead man's switch pinged by it), each with the matchers of
    its route, read from out/alertmanager/alertmanager.yml (targets.alertmanager's heartbeat routes): a child of the
    root route to a receiver, on the alert's name alone (and the stack's external labels), telling it at once.
    None when out/ has no alertmanager.yml (a Prometheus' deploy host)."""
    files = collect(out / "alertmanager", (alertmanager.CONFIG,))
    if alertmanager.CONFIG not in files:
        return {}
    try:
        config = document(alertmanager.CONFIG, files[alertmanager.CONFIG])
    except MalformedFile as error:
        raise error.under(out / "alertmanager") from None
    route = config.get("route")
    children = route.get("routes") if isinstance(route, dict) else None
    found = {}
    for child in children if isinstance(children, list) else ():
        if not isinstance(child, dict) or child.get("receiver") == "null" or child.get("group_wait") != HEARTBEAT_WAIT:
            continue
        try:
            matchers = [classic_matcher(text) for text in child.get("matchers") or () if isinstance(text, str)]
        except ValueError:  # not a route obsgen wrote
            continue
        names = [value for name, op, value in matchers if name == "alertname" and op == "="]
        if len(names) == 1 and not NOT_HEARTBEAT & {name for name, _, _ in matchers}:
            found[names[0]] = matchers
    return found


def _started(answer: object) -> float | None:
    """When the Alertmanager started, from its /api/v2/status answer (None when it does not say)."""
    uptime = answer.get("uptime") if isinstance(answer, dict) else None
    try:
        return datetime.fromisoformat(uptime).timestamp() if isinstance(uptime, str) else None
    except ValueError:
        return None


def heartbeat_graces(out: Path, names: Iterable[str]) -> dict[str, float]:
    """How long an Alertmanager may run before it must hold each heartbeat: HEARTBEAT_GRACE, or the longest wait for
    its send from out/prometheus' rule groups that evaluate it (one interval to its first evaluation, whose send a
    Prometheus started with the Alertmanager drops, then a resend period: 10 minutes at a 5m interval). out/prometheus
    read once for them all."""
    files = collect(out / "prometheus", prometheus.SERVER.patterns)
    try:
        groups = prometheus.expected_groups(files) if prometheus.CONFIG in files else {}
    except MalformedFile:  # prometheus_status says so
        groups = {}
    return {name: max([HEARTBEAT_GRACE, *(group.interval + resend_period(group.interval) for group in groups.values()
                                          if any(rule.kind == "alerting" and rule.name == name
                                                 for rule in group.rules))])
            for name in names}


def _held(name: str, matchers: list[tuple[str, str, str]], alerts: list[dict[str, Any]], started: float | None,
          now: float, grace: float) -> Finding:
    """Whether this Alertmanager holds the heartbeat, unsilenced: what it pings the dead man's switch with. Prometheus
    firing it says nothing of its delivery: with every Alertmanager down or unreachable from Prometheus it fires all
    the same, and only the switch's service, outside, notices the pings stopped."""
    subject = f"heartbeat {name}"
    equal = {label: value for label, op, value in matchers if op == "="}
    states = {alert.get("status", {}).get("state", "") for alert in alerts
              if all(alert.get("labels", {}).get(label) == value for label, value in equal.items())}
    if states - {"suppressed"}:
        return Finding("alertmanager", Kind.OK, subject, "received from Prometheus, pinging its dead man's switch")
    if states:
        return Finding("alertmanager", Kind.ERROR, subject,
                       "silenced or inhibited: its dead man's switch is not pinged, and its service pages")
    if started is not None and now - started < grace:
        return Finding("alertmanager", Kind.NOTE, subject,
                       f"not received yet: Alertmanager started {now - started:.0f} s ago, and Prometheus sends it "
                       f"within {format_seconds(grace)} of that; run obsgen status again then")
    return Finding("alertmanager", Kind.ERROR, subject,
                   "NOT received: no Prometheus sends it here (down, or not sending to this Alertmanager); its dead "
                   "man's switch is not pinged, and its service pages")


def _heartbeat(name: str, alerts: list[dict[str, Any]], rules: list[dict[str, Any]]) -> Finding:
    """Whether the heartbeat fires, as it should: an error when it does not (once its rule was evaluated)."""
    states = {alert["state"] for alert in alerts if alert["labels"].get("alertname") == name}
    subject = f"heartbeat {name}"
    if "firing" in states:
        return Finding("prometheus", Kind.OK, subject, "firing, as it should")
    health = {rule.get("health") for rule in rules if rule.get("name") == name and rule.get("type") == "alerting"}
    if "pending" in states:
        return Finding("prometheus", Kind.NOTE, subject, "pending: firing once its for: has passed")
    if health == {"unknown"}:  # loaded, not evaluated yet (a start or a reload a moment ago)
        return Finding("prometheus", Kind.NOTE, subject, "not evaluated yet: run obsgen status again in a minute")
    return Finding("prometheus", Kind.ERROR, subject,
                   "NOT firing: the rule evaluation or notification path is broken" if health else
                   "NOT firing: its rule is not loaded, and nobody is told when the alerting path breaks")


def prometheus_status(api: Api, out: Path) -> list[Finding]:
    """Configuration and rules against out/prometheus, the release it was built for, rules whose last evaluation
    failed, whether each heartbeat fires, the other firing alerts."""
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
    groups = api.get("/api/v1/rules")["data"]["groups"] if expected else []
    for group in groups:
        findings += [Finding("prometheus", Kind.ERROR, f"rule {rule['name']} (group {group['name']})",
                             f"last evaluation failed: {rule.get('lastError', '')}")
                     for rule in group["rules"] if rule.get("health") == "err"]
    alerts = api.get("/api/v1/alerts")["data"]["alerts"]
    beating = set(heartbeat_routes(out)) if expected else set()
    findings += [_heartbeat(name, alerts, [rule for group in groups for rule in group["rules"]])
                 for name in sorted(beating)]
    for alert in sorted(alerts, key=lambda a: sorted(a["labels"].items())):
        if alert["state"] == "firing" and alert["labels"].get("alertname") not in beating:
            labels = ", ".join(f"{k}={alert['labels'][k]}" for k in SHOWN_LABELS if k in alert["labels"])
            findings.append(Finding("prometheus", Kind.FIRING, alert["labels"]["alertname"],
                                    f"{labels}; active since {alert.get('activeAt', '?')}"))
    return findings


def alertmanager_status(api: Api, out: Path, acknowledgements: bool = True) -> list[Finding]:
    """alertmanager.yml's hash against the loaded one, the release it was built for, how many alerts are active,
    silenced, inhibited, whether it holds each heartbeat (what pings the dead man's switch), and (unless not asked)
    the acknowledgements it holds."""
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
    started, now = _started(answer), time.time()
    routes = heartbeat_routes(out)
    graces = heartbeat_graces(out, routes)
    findings += [_held(name, matchers, alerts, started, now, graces[name]) for name, matchers in sorted(routes.items())]
    return findings + ([_acknowledged(api, silence) for silence in silences.silences(api)] if acknowledgements else [])


def peers_status(out: Path, apis: list[Api]) -> list[Finding]:
    """The cluster's other Alertmanagers (`alertmanager-2`...), each checked as the first is but for its silences
    (gossiped: the first's lines list them): with one member down the other delivers alone, and Prometheus, the first
    Alertmanager and the dead man's switch all look well; only the member's own line tells."""
    findings: list[Finding] = []
    for number, api in enumerate(apis, start=2):
        found = _read("alertmanager", functools.partial(alertmanager_status, api, out, acknowledgements=False))
        findings += [dataclasses.replace(finding, server=f"alertmanager-{number}") for finding in found]
    return findings


def _acknowledged(api: Api, silence: silences.Silence) -> Finding:
    """An acknowledgement (a silence, `obsgen ack`'s or another's): the alerts it holds back now, and their
    escalation levels reached, by whom, until when."""
    held = silence.muting(api)
    named = [m.value for m in silence.matchers if m.name == "alertname" and m.equal and not m.regex]
    names = sorted({labels.get("alertname", "") for labels in held.labels}) if held and held.labels else named
    subject = ", ".join(names) or silence.selector
    if held is None:
        now = f"pending: from {silence.starts}"
    else:
        levels = sorted({labels[ESCALATION_LEVEL_LABEL] for labels in held.labels if ESCALATION_LEVEL_LABEL in labels},
                        key=lambda level: (len(level), level))
        reached = f", escalation {'level' if len(levels) == 1 else 'levels'} {', '.join(levels)} held back" \
            if levels else ""
        now = f"silencing {held.count()} now{reached}"
    return Finding("alertmanager", Kind.ACKNOWLEDGED, subject,
                   f"by {silence.created_by} until {silence.ends}; {now} (silence {silence.id} "
                   f"{silence.selector}: {silence.comment})")


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
