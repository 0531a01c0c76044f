"""End to end: generated configs on the real prometheus and prometheus-alertmanager deliver CpuHigh."""

from __future__ import annotations

import time
from pathlib import Path

from generator.build import build
from generator.profile import Profile
from tests import servers
from tests.sinks import exposition, webhook_sink

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
BUSY_CPU_IDLE_PER_SECOND = 0.01  # idle seconds per second: 99% busy, above CpuHigh's 90


def _wait_firing(prometheus: servers.Server, alertname: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alerts = prometheus.get("/api/v1/alerts").json()["data"]["alerts"]
        if any(a["labels"]["alertname"] == alertname and a["state"] == "firing" for a in alerts):
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"{alertname} not firing after {timeout}s: {alerts}")


def test_cpu_high_reaches_the_webhook_receiver_within_30_seconds(tmp_path: Path) -> None:
    started = time.time()

    def node_metrics() -> str:
        idle = (time.time() - started) * BUSY_CPU_IDLE_PER_SECOND
        return (f'node_cpu_seconds_total{{cpu="0",mode="idle"}} {idle}\n'
                "node_memory_MemAvailable_bytes 50\nnode_memory_MemTotal_bytes 100\n")

    am_port = servers.free_port()
    with webhook_sink() as sink, exposition(node_metrics) as node:
        profile = Profile(time_scale=1 / 60, scrape_interval="1s", sink_url=sink.url,
                          alertmanagers=(f"127.0.0.1:{am_port}",), targets={"node": (node,)})
        build(DEFINITIONS, tmp_path / "out", profile)
        out = tmp_path / "out"
        with servers.alertmanager(out / "alertmanager/alertmanager.yml", tmp_path, port=am_port), \
                servers.prometheus(out / "prometheus/prometheus.yml", tmp_path) as prometheus:
            detected = _wait_firing(prometheus, "CpuHigh", timeout=60)
            notification = sink.wait_for(
                lambda n: n.path == "/webhook" and n.body["commonLabels"].get("alertname") == "CpuHigh"
                and n.body["status"] == "firing",
                timeout=30,
            )
    latency = notification.received - detected
    print(f"\nCpuHigh detection-to-notification: {latency:.2f} s")
    labels = notification.body["commonLabels"]
    assert labels["severity"] == "critical" and labels["instance"] == node
    assert notification.body["receiver"] == "email-slack-webhook"
    assert latency < 30
