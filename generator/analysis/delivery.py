"""Where Alertmanager sends an alert with given labels, read from a generated alertmanager.yml: each receiver the
route tree gives it (generator.core.alert_routing), whom that receiver reaches, and the route's timings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.analysis.diff.routing import reaches
from generator.core.alert_routing import routes_taking


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


def deliveries(config: dict[str, Any], labels: dict[str, str]) -> list[Delivery]:
    """Every receiver an alert with these labels reaches, in routing order."""
    receivers = {receiver["name"]: receiver for receiver in config.get("receivers") or ()}
    found = []
    for route in routes_taking(config.get("route") or {}, labels):
        receiver = str(route.get("receiver", ""))
        found.append(Delivery(receiver, reaches(receivers.get(receiver)), str(route["group_wait"]),
                              str(route["group_interval"]), str(route["repeat_interval"])))
    return found
