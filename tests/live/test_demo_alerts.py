"""The demo history agrees with the alerts it shows: while its ALERTS series says an alert fires, Prometheus finds
the alert's expression true on the demo data, and on the quiet hour before now no alert's expression is."""

from __future__ import annotations

import requests

from generator.live.demo_history import episodes
from generator.model.project import Project
from tests.conftest import DEMO_NOW

STEP = 120


def _held(url: str, expr: str, times: range) -> list[bool]:
    """Whether the expression returns anything at each of the times: one range query, which evaluates it at each
    step as an instant query at that time would (https://www.robustperception.io/step-and-query_range/), instead
    of one request per time."""
    if not times:
        return []
    params: dict[str, str | int] = {"query": expr, "start": times[0], "end": times[-1], "step": times.step}
    response = requests.get(f"{url}/api/v1/query_range", params=params, timeout=30)
    response.raise_for_status()
    found = {round(float(at)) for series in response.json()["data"]["result"] for at, _ in series["values"]}
    return [at in found for at in times]


def test_every_alert_holds_on_the_demo_data_while_its_episode_says_it_fires(project: Project,
                                                                           demo_prometheus: str) -> None:
    firing = episodes(project, DEMO_NOW)
    assert len(firing) == len(project.alerts) - 1  # all but the Watchdog, which always fires
    missed = {}
    for name, (start, end) in firing.items():
        held = _held(demo_prometheus, project.alerts[name].condition, range(start, end, STEP))
        if not all(held):
            missed[name] = "".join("x" if h else "." for h in held)
    assert missed == {}, f"expression false (.) at some {STEP} s steps of the episode: {missed}"


def test_no_alert_holds_on_the_quiet_hour_before_now(project: Project, demo_prometheus: str) -> None:
    shown = episodes(project, DEMO_NOW)
    firing = [alert.name for alert in project.alerts.values() if alert.name in shown
              and any(_held(demo_prometheus, alert.condition, range(DEMO_NOW - 3600, DEMO_NOW, 600)))]
    assert firing == []
