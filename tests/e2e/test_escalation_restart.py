"""Escalation that survives a Prometheus restart, on a real Prometheus stopped and started on the same data.

promtool cannot restart Prometheus, so this runs the generated CpuHigh rule and its ladder, time-compressed
30 times, on a real server with the compressed defaults of what a restart depends on: --query.lookback-delta
(5m), --rules.alert.for-grace-period (10m) and --rules.alert.for-outage-tolerance (1h). The host's CPU is a
rule of its own, so it is there from the first evaluation after a start (a scrape comes seconds later).

CpuHigh's `for` is under the grace period, so Prometheus does not restore it: after a restart it is pending
again for its `for`, while its last firing sample from before the restart leaves the lookback window. A ladder
reading only the firing alert loses it for that while and starts over; one reading it pending too stays up,
and Prometheus restores its levels from ALERTS_FOR_STATE (their `for` is over the grace period).
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from generator.derive.time_compression import apply
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets.prometheus import rule_groups
from tests.servers import Server, free_port, prometheus

SCALE = 30
RESTART_FLAGS = (f"--query.lookback-delta={300 // SCALE}s", f"--rules.alert.for-grace-period={600 // SCALE}s",
                 f"--rules.alert.for-outage-tolerance={3600 // SCALE}s")
LEVEL = 'ALERTS{{alertname="CpuHigh",alertstate="firing",escalation_level="{}"}}'
PENDING_LEVEL_1 = 'ALERTS{alertname="CpuHigh",escalation_level="1"}'
"""Level 1 pending or firing."""
BUSY_HOST = {"groups": [{"name": "host", "rules": [
    {"record": "instance:cpu_usage:percent", "expr": 'label_replace(vector(97), "instance", "web-1", "", "")'}]}]}
"""A host at 97% CPU, for as long as Prometheus runs."""


def _found(server: Server, query: str) -> bool:
    return bool(server.get("/api/v1/query", query=query).json()["data"]["result"])


def _wait(server: Server, query: str, timeout: float, held: str = "") -> float:
    """When `query` finds a series; `held` must find one at every look until then."""
    start = time.monotonic()
    while time.monotonic() < start + timeout:
        if _found(server, query):
            return time.monotonic()
        assert not held or _found(server, held), f"{held} gone {time.monotonic() - start:.1f} s in: it starts over"
        time.sleep(0.2)
    raise AssertionError(f"{query} not found within {timeout} s")


def _configure(project: Project, workdir: Path) -> Path:
    groups = rule_groups(apply(project, Profile(time_scale=1 / SCALE)))
    for name in ("alerts", "escalation-default"):
        (workdir / f"{name}.yml").write_text(yaml.safe_dump(groups[name]))
    (workdir / "host.yml").write_text(yaml.safe_dump(BUSY_HOST))
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": "1s"},
                                      "rule_files": ["host.yml", "alerts.yml", "escalation-default.yml"]}))
    return config


def test_a_prometheus_restart_keeps_the_escalation_ladder_where_it_stood(project: Project, tmp_path: Path) -> None:
    # compressed: CpuHigh fires 10 s after the CPU climbs, its level 1 30 s later
    config, port = _configure(project, tmp_path), free_port()
    with prometheus(config, tmp_path, *RESTART_FLAGS, port=port) as server:
        fired = _wait(server, LEVEL.format(""), timeout=30)
        time.sleep(5)
    stopped = time.monotonic()
    with prometheus(config, tmp_path, *RESTART_FLAGS, port=port) as server:
        down = time.monotonic() - stopped
        # CpuHigh is pending again for 10 s, and its firing sample leaves the lookback 10 s after the stop: level 1
        # must stay pending meanwhile, then fire when its 30 s come, the time down added (starting over, it would
        # fire 10 + 30 s after the restart)
        level_1 = _wait(server, LEVEL.format("1"), timeout=45, held=PENDING_LEVEL_1)
        print(f"\nPrometheus down {down:.1f} s, {stopped - fired:.1f} s after CpuHigh fired; level 1 "
              f"{level_1 - fired:.1f} s after it fired")
        assert level_1 - fired < 30 + down + 10
