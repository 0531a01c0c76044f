"""Alerts fired by a real Prometheus through a real Alertmanager with the shipped routes and inhibit rules, and the
notification ledger of them: the routes wait a second, not minutes, before and between notifications, and every
notification lands in a local sink that records it as the live stack's sink does (time, path, answer, body).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import requests
import yaml

from generator.apply.notifier import DISCOVERY_INTERVAL, DROPPED
from generator.live.ledger import SETTLE, Routing, Tally, account, episodes
from generator.live.recording import Record
from generator.live.releases import installed
from tests import servers
from tests.e2e.inhibition import OUT, fast_route

PLATFORM = {"platform": "ecommerce-rag"}
"""The probe Prometheus' external labels, the shipped stack's."""
RESEND_DELAY = 2
"""Prometheus' --rules.alert.resend-delay here, in seconds. A firing alert is sent valid for four of them
(rules/alerting.go: ValidUntil = 4 x max(resend delay, evaluation interval)): a page whose resends stalled that long
would read resolved in Alertmanager and lift its inhibition. Paused 7 s (tests/e2e/ledger_faults.py prom:2.5:7), the
probe Prometheus did that: the page told resolved and firing again, and the muted TargetDown told. The muted
TargetDown told in CI runs x114 and x121 had another cause, _rules_once_alertmanager_known's (they failed the muted
TargetDown's test only; a lapsed page fails the page's, told resolved and firing again). At 1 s the margin was 4 s;
at 2 s it is 8, for 4 s more per ledger run."""
BRIDGE = 4.0 * RESEND_DELAY
"""Seconds of gap the ledger bridges within an episode: four resend delays, Alertmanager's resolve timeout."""
RELOADS = 3
"""Reloads tried for one whose tick comes before the alerts' start."""
SETTLED = 1.0 + max(BRIDGE, 1.0 + SETTLE)
"""Seconds after the last alert's end by which the ledger reads every episode ended (BRIDGE after its last firing
sample, which is before the end) and owes its resolved notifications (group_interval 1 s + the ledger's SETTLE),
with one evaluation interval (1 s) for the evaluation that resolves it."""

Alert = tuple[str, dict[str, str], int | None] | tuple[str, dict[str, str], int | None, int]
"""An alert's name, its labels, the seconds after the start until which it fires (None: throughout) and, if given,
the seconds after the start from which it fires (else from the start)."""
Receivers = Callable[[list[dict[str, Any]], str], list[dict[str, Any]]]
"""The shipped receivers made to post to the sink (its base URL)."""


def webhooks(receivers: list[dict[str, Any]], sink: str) -> list[dict[str, Any]]:
    """Every receiver one webhook to the sink, at a path of its name."""
    return [{"name": receiver["name"], "webhook_configs": [{"url": f"{sink}/{receiver['name']}"}]}
            for receiver in receivers]


def _rule(alert: Alert, start: float) -> dict[str, Any]:
    name, labels, lasting, *begins = alert
    expr = f"vector(1) and on () (vector(time()) >= {start + (begins[0] if begins else 0):.3f})"
    if lasting is not None:
        expr += f" and on () (vector(time()) < {start + lasting:.3f})"
    return {"alert": name, "expr": expr, "labels": labels}


def _discovered(prometheus: str) -> bool:
    return bool(requests.get(f"{prometheus}/api/v1/alertmanagers", timeout=5).json()["data"]["activeAlertmanagers"])


def _rules_once_alertmanager_known(prometheus: str, rules: Path, alerts: list[Alert]) -> float:
    """Load the alerts' rules, none firing before their start, which comes once Prometheus' notifier knows the
    Alertmanager again after the reload that loads them; their start.

    Prometheus (2.42) learns its Alertmanagers only at a tick of its service discovery (every DISCOVERY_INTERVAL from
    its start), and a reload empties the list (notifier.ApplyConfig builds new, empty Alertmanager sets,
    prometheus/prometheus#13064) until the next tick: every alert sent meanwhile is dropped and reaches Alertmanager
    at its next resend, each alert at its own. Alerts that fired in that window then reached Alertmanager out of
    order: the muted TargetDown before the page that mutes it, its group flushed at once (its startsAt + group_wait
    long past, dispatch.go's insert) with no page to mute it, told firing, and resolved once the page ended."""
    ticked = _tick(prometheus, time.monotonic() + 30)
    for _ in range(RELOADS):
        since = time.time() - ticked  # the tick after the reload is the first after now: start a second later
        start = ticked + DISCOVERY_INTERVAL * (math.floor(since / DISCOVERY_INTERVAL) + 1) + 1.0
        rules.write_text(yaml.safe_dump({"groups": [
            {"name": "probe", "interval": "1s", "rules": [_rule(alert, start) for alert in alerts]}]}))
        requests.post(f"{prometheus}/-/reload", timeout=10).raise_for_status()
        try:
            ticked = _tick(prometheus, time.monotonic() + start - 0.5 - time.time())
            return start
        except TimeoutError:  # the reload ended after the tick: load them again, before any of them fires
            continue
    raise TimeoutError(f"{prometheus} did not find the Alertmanager again within a second of {RELOADS} reloads")


def _tick(prometheus: str, deadline: float) -> float:
    """When the notifier next knew an Alertmanager (time.time(), within 50 ms of a discovery tick)."""
    while not _discovered(prometheus):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{prometheus} found no Alertmanager in time")
        time.sleep(0.05)
    return time.time()


def _dropped(prometheus: str) -> float:
    """Alerts Prometheus' notifier dropped (notifier.DROPPED)."""
    for line in requests.get(f"{prometheus}/metrics", timeout=5).text.splitlines():
        if line.startswith(f"{DROPPED} "):
            return float(line.split()[1])
    raise AssertionError(f"{prometheus} exposes no {DROPPED}")


def _sink(records: list[Record], lock: threading.Lock, refused: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answered = 500 if refused and refused in json.dumps(body) else 200
            with lock:
                records.append({"received": time.time(), "path": self.path, "answered": answered, "body": body})
            servers.answer_json(self, answered, {})

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


Fault = Callable[[float, servers.Server, servers.Server], None]
"""Called in a thread once the alerts' start is known, with it, the Prometheus and the Alertmanager: a fault injected
into the run (pausing either at chosen moments)."""


def ledger(workdir: Path, alerts: list[Alert], receivers: Receivers = webhooks, refused: str = "",
           fault: Fault | None = None) -> list[Tally]:
    """The ledger once every alert has fired its time and SETTLED has passed; the sink answers 500 to any
    notification whose JSON holds `refused`."""
    records: list[Record] = []
    lock = threading.Lock()
    last = max(alert[2] or 0 for alert in alerts)
    with servers.serving(_sink(records, lock, refused)) as sink:
        document = yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
        document["receivers"] = receivers(document["receivers"], sink)
        document["templates"] = [str(OUT / "alertmanager" / path) for path in document.get("templates", [])]
        document["route"] = fast_route(document["route"])
        (workdir / "alertmanager.yml").write_text(yaml.safe_dump(document))
        with servers.alertmanager(workdir / "alertmanager.yml", workdir) as alertmanager:
            (workdir / "rules.yml").write_text(yaml.safe_dump({"groups": []}))
            (workdir / "prometheus.yml").write_text(yaml.safe_dump({
                "global": {"evaluation_interval": "1s", "external_labels": PLATFORM},
                "rule_files": ["rules.yml"],
                "alerting": {"alertmanagers": [{"static_configs": [
                    {"targets": [alertmanager.url.removeprefix("http://")]}]}]}}))
            resend = f"--rules.alert.resend-delay={RESEND_DELAY}s"
            with servers.prometheus(workdir / "prometheus.yml", workdir, resend) as server:
                start = _rules_once_alertmanager_known(server.url, workdir / "rules.yml", alerts)
                injected = threading.Thread(target=fault, args=(start, server, alertmanager)) if fault else None
                if injected:
                    injected.start()
                time.sleep(max(0.0, start + last + SETTLED - time.time()))
                if injected:
                    injected.join()
                until = time.time()
                found = episodes(server.url, start - 5, until, bridge=BRIDGE)
                dropped = _dropped(server.url)
    with lock:
        routing = Routing(workdir / "alertmanager.yml", PLATFORM, installed())  # the Alertmanager that ran it
        tallies = account(found, routing, list(records), until)
    for episode in found:  # what fired when, and what was told when: on a failure, pytest shows them
        print(f"{episode.start - start:6.2f} s {episode.name} {episode.labels.get('instance', '')} fired until "
              f"{'-' if episode.end is None else f'{episode.end - start:.2f} s'}")
    for record in records:
        told = [f"{a['labels'].get('alertname')}/{a['labels'].get('instance', '')}:{a['status']}"
                for a in record["body"].get("alerts", [])] if isinstance(record["body"], dict) else []
        print(f"{record['received'] - start:6.2f} s {record['path']} {record['answered']} {' '.join(told)}")
    for tally in tallies:
        print(f"{tally.episode.name:<30} {tally.episode.labels.get('instance', ''):<8} {':'.join(tally.integration)}"
              f" firing {tally.received_firing}/{tally.expected_firing}"
              f" resolved {tally.received_resolved}/{tally.expected_resolved} allowed {tally.allowed_firing}")
    assert not dropped, (f"Prometheus dropped {dropped:.0f} alerts it sent (its notifier knew no Alertmanager): "
                         "they reached Alertmanager late, out of order, and the ledger is not the scenario's")
    return tallies


def of(tallies: list[Tally], name: str, labels: dict[str, str]) -> list[Tally]:
    """The tallies of the alert's episodes."""
    return [t for t in tallies if {"alertname": name, **labels}.items() <= t.episode.labels.items()]
