"""Where Alertmanager sends an alert with given labels, read from a generated alertmanager.yml: each receiver the
route tree gives it (generator.core.alert_routing), whom that receiver reaches, and the route's timings. The file is
read once (core.alert_routing.Routes.read), as the Alertmanager release that runs it reads its matchers, then
routes any alerts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.core.alert_routing import Routes, routes_taking

# Who an integration reaches, by its config field (so a route change says whom it now notifies).
_REACH = {"email_configs": "to", "slack_configs": "channel", "webhook_configs": "url",
          "pagerduty_configs": "routing_key_file"}


def reaches(receiver: Mapping[str, Any] | None) -> str:
    """Whom a receiver notifies, e.g. "email oncall@company.com; slack #alerts, #ops" ("nobody" for none)."""
    if receiver is None:
        return "undefined receiver"
    parts = []
    for field, configs in receiver.items():
        if field.endswith("_configs"):
            whom = ", ".join(str(config.get(_REACH.get(field, ""), "?")) for config in configs)
            parts.append(f"{field.removesuffix('_configs')} {whom}")
    return "; ".join(parts) or "nobody"


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


def deliveries(routes: Routes, labels: dict[str, str]) -> list[Delivery]:
    """Every receiver an alert with these labels reaches, in routing order."""
    found = []
    for route in routes_taking(routes.tree, labels):
        receiver = str(route.get("receiver", ""))
        found.append(Delivery(receiver, reaches(routes.receivers.get(receiver)), str(route["group_wait"]),
                              str(route["group_interval"]), str(route["repeat_interval"])))
    return found
