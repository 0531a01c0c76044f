"""Tempo down on the real Alertmanager with the shipped routes and inhibit rules: TargetDown is told, the collector
failing to export to Tempo is the same outage and waits, and is told once Tempo's TargetDown resolves.

Alerts are posted as Prometheus sends them (the shipped rules' labels and the stack's external labels); every
receiver is a webhook to a local sink, and the routes wait a second, not minutes, before and between notifications.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out"
PLATFORM = {"platform": "ecommerce-rag"}
TEMPO_DOWN = {"alertname": "TargetDown", "job": "tempo", "severity": "warning", **PLATFORM}
EXPORT_TO_TEMPO = {"alertname": "OtelCollectorExportFailing", "job": "otel-collector",
                   "instance": "otel-collector:8888", "exporter": "otlp_grpc/tempo", "severity": "warning", **PLATFORM}
EXPORT_TO_JAEGER = {**EXPORT_TO_TEMPO, "exporter": "otlp_grpc/jaeger"}
SETTLE = 6.0
"""Seconds for a group to be flushed (group_wait and group_interval of 1 s here) and its webhook to arrive."""


class Sink:
    """Every alert notified as firing, by alertname and exporter."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.firing: list[tuple[str, str]] = []

    def seen(self, labels: dict[str, str]) -> bool:
        with self.lock:
            return (labels["alertname"], labels.get("exporter", "")) in self.firing


def _handler(sink: Sink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with sink.lock:
                sink.firing += [(a["labels"]["alertname"], a["labels"].get("exporter", ""))
                                for a in body["alerts"] if a["status"] == "firing"]
            servers.answer_json(self, 200, {})

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


def _fast(route: dict[str, Any]) -> dict[str, Any]:
    timed = {key: "1s" for key in ("group_wait", "group_interval") if key in route}
    return {**route, **timed, "routes": [_fast(child) for child in route.get("routes", [])]}


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    sink = Sink()
    with servers.serving(_handler(sink)) as webhook:
        document = yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
        document["receivers"] = [{"name": receiver["name"], "webhook_configs": [{"url": webhook}]}
                                 for receiver in document["receivers"]]
        document.pop("templates", None)
        document["route"] = _fast(document["route"])
        config = tmp_path / "alertmanager.yml"
        config.write_text(yaml.safe_dump(document))
        with servers.alertmanager(config, tmp_path) as server:
            yield server.url, sink


def _post(url: str, *labelled: dict[str, str], resolved: bool = False) -> None:
    ends = {"endsAt": datetime.now(UTC).isoformat()} if resolved else {}
    alerts = [{"labels": labels, "annotations": {"summary": "probe"}, **ends} for labels in labelled]
    requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()


def _status(url: str, labels: dict[str, str]) -> dict[str, Any]:
    found = requests.get(f"{url}/api/v2/alerts", params={"filter": [f'{k}="{v}"' for k, v in labels.items()]},
                         timeout=10).json()
    assert len(found) == 1, found
    return dict(found[0]["status"])


def _until(condition: Any, timeout: float = SETTLE) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_tempo_down_mutes_the_export_to_tempo_until_it_resolves(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    _post(url, TEMPO_DOWN, EXPORT_TO_TEMPO, EXPORT_TO_JAEGER)
    assert _until(lambda: sink.seen(TEMPO_DOWN) and sink.seen(EXPORT_TO_JAEGER))  # Jaeger's is another outage
    status = _status(url, EXPORT_TO_TEMPO)
    assert status["state"] == "suppressed" and status["inhibitedBy"], status
    time.sleep(SETTLE)  # several group intervals: still not told
    assert not sink.seen(EXPORT_TO_TEMPO)

    _post(url, TEMPO_DOWN, resolved=True)  # Tempo is back, the collector still failing: now it is news
    assert _until(lambda: sink.seen(EXPORT_TO_TEMPO)), "the export alert was not notified once TargetDown resolved"
    assert _status(url, EXPORT_TO_TEMPO)["state"] == "active"


@pytest.mark.parametrize("cause", [{**TEMPO_DOWN, "job": "node"}, {**TEMPO_DOWN, "platform": "another-stack"}],
                         ids=["another job down", "another stack's tempo down"])
def test_only_the_same_stacks_tempo_down_mutes_it(alertmanager: tuple[str, Sink], cause: dict[str, str]) -> None:
    url, sink = alertmanager
    _post(url, cause, EXPORT_TO_TEMPO)
    assert _until(lambda: sink.seen(EXPORT_TO_TEMPO))
    assert _status(url, EXPORT_TO_TEMPO)["inhibitedBy"] == []
