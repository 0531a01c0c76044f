"""Regexes in Go's syntax on the real Alertmanager 0.25: alerts posted with each value, the receivers of the groups it
made of them (/api/v2/alerts/groups) against the receivers obsgen's routing reads (core.go_regex through
core.alert_routing). Forms Python's re refuses (\\pL, (?U), \\z) or reads otherwise ({,3} a repeat, \\d Unicode)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests
import yaml

from generator.core.alert_routing import RouteTree, routes_taking
from tests import servers

PATTERNS = (r"\pL+", r"(?U)(a+)b?", r"ab\z", r"x{,3}", r"\d+", r"(?i)É")
VALUES = ("abc", "a", "ab", "x{,3}", "xxx", "12", "٣", "é", "Ωmega", "ab\n")


def _config() -> dict[str, Any]:
    return {"route": {"receiver": "none", "group_by": ["v"], "group_wait": "0s", "routes": [
        {"receiver": f"r{at}", "continue": True, "matchers": [f"v=~{json.dumps(pattern, ensure_ascii=False)}"]}
        for at, pattern in enumerate(PATTERNS)]},
        "receivers": [{"name": "none"}, *({"name": f"r{at}"} for at in range(len(PATTERNS)))]}


def _receivers(url: str, expected: int) -> dict[str, set[str]]:
    """Value -> the receivers of the groups holding its alert, once every value's groups are there (or 20 s)."""
    deadline = time.monotonic() + 20
    while True:
        found: dict[str, set[str]] = {}
        for group in requests.get(f"{url}/api/v2/alerts/groups", timeout=10).json():
            found.setdefault(group["labels"]["v"], set()).add(group["receiver"]["name"])
        if sum(map(len, found.values())) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_regexes_route_alerts_as_the_real_alertmanager_does(tmp_path: Path) -> None:
    tree = RouteTree.read(_config()["route"], "0.25.0")
    ours = {value: {str(route["receiver"]) for route in routes_taking(tree, {"v": value})} for value in VALUES}
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(_config(), allow_unicode=True))
    with servers.alertmanager(config, tmp_path) as server:
        alerts = [{"labels": {"alertname": "Probe", "v": value}} for value in VALUES]
        requests.post(f"{server.url}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
        theirs = _receivers(server.url, sum(map(len, ours.values())))
    named = {value: sorted(PATTERNS[int(r[1:])] if r != "none" else r for r in receivers)
             for value, receivers in theirs.items()}
    assert theirs == ours, named
