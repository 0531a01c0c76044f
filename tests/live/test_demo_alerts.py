"""The demo history agrees with the alerts it shows: while its ALERTS series says an alert fires, Prometheus finds
the alert's expression true on the demo data, and on the quiet hour before now no alert's expression is."""

from __future__ import annotations

from typing import Any

import requests

from generator.live.demo_history import episodes
from generator.model.project import Project
from tests.conftest import DEMO_NOW

STEP = 120


def _query(url: str, expr: str, at: float) -> list[Any]:
    response = requests.get(f"{url}/api/v1/query", params={"query": expr, "time": at}, timeout=30)
    response.raise_for_status()
    return list(response.json()["data"]["result"])


def test_every_alert_holds_on_the_demo_data_while_its_episode_says_it_fires(project: Project,
                                                                           demo_prometheus: str) -> None:
    firing = episodes(project, DEMO_NOW)
    assert len(firing) == len(project.alerts) - 1  # all but the Watchdog, which always fires
    missed = {}
    for name, (start, end) in firing.items():
        held = [bool(_query(demo_prometheus, project.alerts[name].condition, at)) for at in range(start, end, STEP)]
        if not all(held):
            missed[name] = "".join("x" if h else "." for h in held)
    assert missed == {}, f"expression false (.) at some {STEP} s steps of the episode: {missed}"


def test_no_alert_holds_on_the_quiet_hour_before_now(project: Project, demo_prometheus: str) -> None:
    firing = [alert.name for alert in project.alerts.values() if alert.name in episodes(project, DEMO_NOW)
              and any(_query(demo_prometheus, alert.condition, at) for at in range(DEMO_NOW - 3600, DEMO_NOW, 600))]
    assert firing == []
