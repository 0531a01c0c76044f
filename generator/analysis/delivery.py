"""Where Alertmanager sends an alert with given labels, read from a generated alertmanager.yml.

Alertmanager's routing: from the root, the first child route whose matchers all match takes the alert
(and the next ones too while a matched route says `continue: true`); a route with no matching child
delivers itself. Settings a route leaves out are inherited from its parent, then Alertmanager's defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.analysis.diff.routing import reaches
from generator.core.promql import label_matches

DEFAULTS = {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
"""Alertmanager's defaults for a route tree that sets none."""
INHERITED = ("receiver", "group_wait", "group_interval", "repeat_interval")
_MATCHER = re.compile(r'^\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')


@dataclass(frozen=True)
class Delivery:
    """One receiver an alert reaches, whom that is, and the timings of the route that sends it."""

    receiver: str
    reaches: str
    group_wait: str
    group_interval: str
    repeat_interval: str

    def __str__(self) -> str:
        return (f"{self.receiver} ({self.reaches}; group_wait {self.group_wait}, group_interval "
                f"{self.group_interval}, repeat_interval {self.repeat_interval})")


def _matches(route: dict[str, Any], labels: dict[str, str]) -> bool:
    checks: list[tuple[str, str, str]] = []
    for matcher in route.get("matchers") or ():
        found = _MATCHER.match(str(matcher))
        if found is None:
            return False
        checks.append((found[1], found[2], found[3]))
    checks += [(name, "=", str(value)) for name, value in (route.get("match") or {}).items()]
    checks += [(name, "=~", str(value)) for name, value in (route.get("match_re") or {}).items()]
    return all(label_matches(op, value, labels.get(name, "")) for name, op, value in checks)


def deliveries(config: dict[str, Any], labels: dict[str, str]) -> list[Delivery]:
    """Every receiver an alert with these labels reaches, in routing order."""
    receivers = {receiver["name"]: receiver for receiver in config.get("receivers") or ()}

    def walk(route: dict[str, Any], inherited: dict[str, str]) -> list[Delivery]:
        settings = {**inherited, **{key: str(route[key]) for key in INHERITED if key in route}}
        found: list[Delivery] = []
        for child in route.get("routes") or ():
            if _matches(child, labels):
                found += walk(child, settings)
                if not child.get("continue"):
                    break
        if found:
            return found
        receiver = settings.get("receiver", "")
        return [Delivery(receiver, reaches(receivers.get(receiver)), settings["group_wait"],
                         settings["group_interval"], settings["repeat_interval"])]

    return walk(config.get("route") or {}, dict(DEFAULTS))
