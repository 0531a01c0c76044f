"""The notification ledger on a real Prometheus and a real Alertmanager with the shipped routes and inhibit rules.

Prometheus fires, for a dead api job, CheckoutAvailabilitySLIAbsent (the page) for 12 s, TargetDown of the api job
for 22 s (muted while the page fires, told once it is over), TargetDown of another api instance for 7 s (muted
throughout: Alertmanager tells it neither firing nor resolved) and TargetDown of the node job throughout, whose
notifications the sink refuses. The ledger, reading ALERTS and the sink's records, owes nothing for what
Alertmanager rightly muted and still finds the node job's notification lost.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import yaml

from generator.live.ledger import Routing, Tally, account, episodes
from generator.live.recording import Record
from tests import servers
from tests.e2e.inhibition import OUT, _fast

PAGE = {"severity": "critical", "escalation_policy": "default", "service": "checkout", "slo": "availability",
        "sli": "absent", "job": "api"}
ALERTS = {  # alert name, labels, seconds it fires after the start (None: throughout)
    "page": ("CheckoutAvailabilitySLIAbsent", PAGE, 12),
    "api down": ("TargetDown", {"job": "api", "instance": "api-1", "severity": "warning"}, 22),
    "api down, muted throughout": ("TargetDown", {"job": "api", "instance": "api-2", "severity": "warning"}, 7),
    "node down": ("TargetDown", {"job": "node", "instance": "node-1", "severity": "warning"}, None),
}
REFUSED = '"job": "node"'
"""The sink answers 500 to any notification about the node job: each one is lost."""
LAST = 22


def _rule(name: str, labels: dict[str, str], lasting: int | None, start: float) -> dict[str, Any]:
    expr = "vector(1)" if lasting is None else f"vector(1) and on () (vector(time()) < {start + lasting:.3f})"
    return {"alert": name, "expr": expr, "labels": labels}


def _recording_sink(records: list[Record], lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            answered = 500 if REFUSED in json.dumps(json.loads(raw)) else 200
            with lock:
                records.append({"received": time.time(), "path": self.path, "answered": answered,
                                "body": json.loads(raw)})
            servers.answer_json(self, answered, {})

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


@pytest.fixture(scope="module")
def tallies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[Tally]]]:
    workdir = tmp_path_factory.mktemp("ledger-inhibitions")
    records: list[Record] = []
    lock = threading.Lock()
    with servers.serving(_recording_sink(records, lock)) as sink:
        document = yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
        document["receivers"] = [{"name": receiver["name"], "webhook_configs": [{"url": f"{sink}/{receiver['name']}"}]}
                                 for receiver in document["receivers"]]
        document.pop("templates", None)
        document["route"] = _fast(document["route"])
        (workdir / "alertmanager.yml").write_text(yaml.safe_dump(document))
        with servers.alertmanager(workdir / "alertmanager.yml", workdir) as alertmanager:
            start = time.time() + 3  # Prometheus is ready by then
            rules = [_rule(*alert, start) for alert in ALERTS.values()]
            (workdir / "rules.yml").write_text(yaml.safe_dump({"groups": [
                {"name": "dead-api", "interval": "1s", "rules": rules}]}))
            (workdir / "prometheus.yml").write_text(yaml.safe_dump({
                "global": {"evaluation_interval": "1s", "external_labels": {"platform": "ecommerce-rag"}},
                "rule_files": ["rules.yml"],
                "alerting": {"alertmanagers": [{"static_configs": [
                    {"targets": [alertmanager.url.removeprefix("http://")]}]}]}}))
            with servers.prometheus(workdir / "prometheus.yml", workdir, "--rules.alert.resend-delay=1s") as server:
                time.sleep(max(0.0, start + LAST + 10 - time.time()))  # a group interval and SETTLE after the last
                until = time.time()
                found = episodes(server.url, start - 5, until, bridge=4)
    with lock:
        tallied = account(found, Routing(workdir / "alertmanager.yml"), list(records), until)
    for tally in tallied:
        print(f"{tally.episode.name:<30} {tally.episode.labels.get('instance', ''):<8} {':'.join(tally.integration)}"
              f" firing {tally.received_firing}/{tally.expected_firing}"
              f" resolved {tally.received_resolved}/{tally.expected_resolved} allowed {tally.allowed_firing}")
    yield {key: [t for t in tallied if {"alertname": name, **labels}.items() <= t.episode.labels.items()]
           for key, (name, labels, _) in ALERTS.items()}


def test_the_page_is_told_firing_and_resolved(tallies: dict[str, list[Tally]]) -> None:
    assert tallies["page"] and all((t.expected_firing, t.expected_resolved, t.lost, t.duplicated) == (1, 1, 0, 0)
                                   for t in tallies["page"])


def test_a_target_down_muted_throughout_owes_nothing(tallies: dict[str, list[Tally]]) -> None:
    muted = tallies["api down, muted throughout"]
    assert muted and all((t.expected_firing, t.received_firing, t.expected_resolved, t.lost, t.duplicated) ==
                         (0, 0, 0, 0, 0) for t in muted)


def test_a_target_down_outliving_the_page_owes_its_notifications_from_then(tallies: dict[str, list[Tally]]) -> None:
    told = tallies["api down"]
    assert told and all((t.expected_firing, t.received_firing, t.expected_resolved, t.received_resolved, t.lost,
                         t.duplicated) == (1, 1, 1, 1, 0, 0) for t in told)


def test_a_refused_notification_is_still_lost(tallies: dict[str, list[Tally]]) -> None:
    lost = tallies["node down"]
    assert lost and all(t.expected_firing == 1 and t.received_firing == 0 and t.lost == 1 for t in lost)
