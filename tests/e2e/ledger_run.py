"""Alerts fired by a real Prometheus through a real Alertmanager with the shipped routes and inhibit rules, and the
notification ledger of them: the routes wait a second, not minutes, before and between notifications, and every
notification lands in a local sink that records it as the live stack's sink does (time, path, answer, body).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import requests
import yaml

from generator.live.ledger import SETTLE, Routing, Tally, account, episodes
from generator.live.recording import Record
from tests import servers
from tests.e2e.inhibition import OUT, fast_route

PLATFORM = {"platform": "ecommerce-rag"}
"""The probe Prometheus' external labels, the shipped stack's."""
RESEND_DELAY = 2
"""Prometheus' --rules.alert.resend-delay here, in seconds. A firing alert is sent valid for four of them
(rules/alerting.go: ValidUntil = 4 x max(resend delay, evaluation interval)); had the page's resends stalled that long
on a loaded machine, Alertmanager would read it resolved and lift its inhibition, telling the TargetDown it mutes.
That is the suspected cause of the muted TargetDown told in CI runs x114 and x121 (once each in about ten runs; not
reproduced alone, nor with six runs beside three busy loops; the page had reached Alertmanager ~6 s before the first
flush, so the inhibitor had it). At 1 s the margin was 4 s; at 2 s it is 8, for 4 s more per ledger run. The run
prints what fired and what was told when, which a failure shows beside its tallies."""
BRIDGE = 4.0 * RESEND_DELAY
"""Seconds of gap the ledger bridges within an episode: four resend delays, Alertmanager's resolve timeout."""
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
    expr = "vector(1)" if lasting is None else f"vector(1) and on () (vector(time()) < {start + lasting:.3f})"
    if begins:
        expr += f" and on () (vector(time()) >= {start + begins[0]:.3f})"
    return {"alert": name, "expr": expr, "labels": labels}


def _rules_once_alertmanager_known(prometheus: str, rules: Path, alerts: list[Alert]) -> float:
    """Load the alerts' rules once Prometheus has discovered the Alertmanager (up to 5 s after it starts, its
    discovery's first update); their start. Alerts fired before are dropped, and one first sent later than
    group_wait after it started has its group flushed at once (dispatch.go's insert), racing the inhibitor's
    reading of the alert that mutes it: a muted TargetDown was then told now and then."""
    deadline = time.monotonic() + 30
    while not requests.get(f"{prometheus}/api/v1/alertmanagers", timeout=5).json()["data"]["activeAlertmanagers"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{prometheus} found no Alertmanager in 30 s")
        time.sleep(0.2)
    start = time.time() + 2  # the reloaded group's first evaluation comes within its 1 s interval
    rules.write_text(yaml.safe_dump({"groups": [
        {"name": "probe", "interval": "1s", "rules": [_rule(alert, start) for alert in alerts]}]}))
    requests.post(f"{prometheus}/-/reload", timeout=10).raise_for_status()
    return start


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


def ledger(workdir: Path, alerts: list[Alert], receivers: Receivers = webhooks, refused: str = "") -> list[Tally]:
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
                time.sleep(max(0.0, start + last + SETTLED - time.time()))
                until = time.time()
                found = episodes(server.url, start - 5, until, bridge=BRIDGE)
    with lock:
        tallies = account(found, Routing(workdir / "alertmanager.yml", PLATFORM), list(records), until)
    for episode in found:  # what fired when, and what was told when: on a failure, pytest shows them
        print(f"{episode.start - start:6.2f} s {episode.name} {episode.labels.get('instance', '')} fired until "
              f"{'-' if episode.end is None else f'{episode.end - start:.2f} s'}")
    for record in records:
        alerts = [f"{a['labels'].get('alertname')}/{a['labels'].get('instance', '')}:{a['status']}"
                  for a in record["body"].get("alerts", [])] if isinstance(record["body"], dict) else []
        print(f"{record['received'] - start:6.2f} s {record['path']} {record['answered']} {' '.join(alerts)}")
    for tally in tallies:
        print(f"{tally.episode.name:<30} {tally.episode.labels.get('instance', ''):<8} {':'.join(tally.integration)}"
              f" firing {tally.received_firing}/{tally.expected_firing}"
              f" resolved {tally.received_resolved}/{tally.expected_resolved} allowed {tally.allowed_firing}")
    return tallies


def of(tallies: list[Tally], name: str, labels: dict[str, str]) -> list[Tally]:
    """The tallies of the alert's episodes."""
    return [t for t in tallies if {"alertname": name, **labels}.items() <= t.episode.labels.items()]
