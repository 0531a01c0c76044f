"""bench/alert_latency.py: where it waits for each notification, and which alert it reads the firing time of."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

from generator.build import load
from generator.derive.time_compression import apply
from generator.model.profile import Profile
from generator.targets.alertmanager import config as alertmanager_config

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alert_latency", ROOT / "bench" / "alert_latency.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class _Asked:
    """A live client that records where a scenario waits, and serves given alerts."""

    def __init__(self, alerts: list[dict[str, Any]] | None = None) -> None:
        self.paths: list[str] = []
        self.addresses: list[str] = []
        self._alerts = alerts or []

    def notified(self, path: str, alertname: str, **_: Any) -> dict[str, float]:
        self.paths.append(path)
        return {"received": 0.0}

    def mailed(self, to: str, alertname: str, **_: Any) -> dict[str, float]:
        self.addresses.append(to)
        return {"received": 0.0}

    def alerts(self) -> list[dict[str, Any]]:
        return self._alerts


def test_every_scenario_waits_where_the_live_stacks_receivers_post() -> None:
    bench = _bench()
    project = apply(load(ROOT / "definitions"), Profile(time_scale=1 / 60, scrape_interval="1s",
                                                        sink_url="http://sink"))
    posted, mailed = set(), set()
    for receiver in alertmanager_config(project)["receivers"]:
        for field, entries in receiver.items():
            for entry in entries if isinstance(entries, list) else ():
                url = entry.get("url") or entry.get("api_url")
                if url:
                    posted.add(urlparse(str(url)).path)
                if field == "email_configs":
                    mailed.add(entry["to"])
    asked = _Asked()
    for scenario in bench.SCENARIOS:
        scenario.receiver(asked, 0.0, 1.0)
    assert asked.paths and set(asked.paths) <= posted, (asked.paths, posted)
    assert asked.addresses and set(asked.addresses) <= mailed


def test_the_firing_time_is_the_alerts_own_not_an_escalation_copys() -> None:
    bench = _bench()
    project = apply(load(ROOT / "definitions"), Profile(time_scale=1 / 60, scrape_interval="1s"))
    memory = next(s for s in bench.SCENARIOS if s.alert == "MemoryHigh")
    labels = {"alertname": "MemoryHigh", **memory.labels}
    copy = {"labels": {**labels, "escalation_level": "1"}, "state": "firing", "activeAt": "2026-01-01T00:01:00Z"}
    alert = {"labels": labels, "state": "firing", "activeAt": "2026-01-01T00:00:00Z"}
    fired = bench._fired_at(_Asked([copy, alert]), project, memory)
    assert fired == 1767225600 + 21  # its own activeAt + for 21 s (2m at 60x), not the copy's a minute later
