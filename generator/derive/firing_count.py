"""A count of firing alerts that reads 0 only when it knows: `count(ALERTS{...})` has no series when none fires,
and `or vector(0)` reads 0 as well where no rule is evaluated at all (rules not loaded, another data source). An
always-firing heartbeat alert (Watchdog) says the rules are evaluated: the count falls back to 0 while it fires, and
to nothing (Grafana's No data) when it does not. Shared by each dashboard's Alerts Firing Now and the SLO overview's
Burn alerts firing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from generator.model import Alert


def heartbeat_names_of(objects: Iterable[object]) -> tuple[str, ...]:
    """The names of the always-firing heartbeat alerts (Watchdog) among these objects, in their order, each once:
    their ALERTS series say the rules are evaluated (the loaded objects for the SLO overview, the project's alerts
    for every other dashboard, derive.dashboards.heartbeat_names)."""
    return tuple(dict.fromkeys(obj.name for obj in objects if isinstance(obj, Alert) and obj.heartbeat is not None))


def none_firing(heartbeats: Sequence[str]) -> tuple[str, str]:
    """What a count of firing alerts falls back to with `or` when none fires, and how its description says it:
    0 beside a heartbeat firing (the heartbeat alerts' names given), else vector(0) and nothing to say."""
    if not heartbeats:
        return "vector(0)", ""
    names = "|".join(heartbeats)
    return (f'on () 0 * count(ALERTS{{alertstate="firing",alertname=~"{names}"}})',
            f"while the heartbeat {', '.join(heartbeats)} fires, which says the rules are evaluated; No data when it "
            "does not: rules not loaded or not evaluated, or another data source")
