"""How many Alertmanagers the live stack runs: by default as many as the definitions configure (their HA pair).

The live build is the definitions compiled for this machine, and what it compiles from their Alertmanagers stays
theirs: PrometheusAlertmanagersMissing pages when Prometheus knows fewer than the definitions' count, and `obsgen
latency` counts the pair's peer wait. Run with one, the stack pages that warning all night (it is right: Prometheus
does know fewer than the definitions say) and hides what the pair does (a second Alertmanager waiting its peer
timeout for the first's notification log, silences gossiped to both). `obsgen up --alertmanagers 1` still runs one,
warned of what it will page.
"""

from __future__ import annotations

from generator.model.project import Project

MOST = 3
"""The most Alertmanagers the stack clusters on loopback."""
MISSING_ALERT = "PrometheusAlertmanagersMissing"
"""The alert on Prometheus knowing fewer Alertmanagers than the definitions configure (library/notifications.py)."""


def count(asked: int, definitions: Project) -> int:
    """The Alertmanagers to run: `asked`, or with 0 as many as the definitions configure (1 to MOST)."""
    return asked or min(max(len(definitions.stack.alertmanagers), 1), MOST)


def fewer_warning(running: int, definitions: Project) -> str:
    """What running fewer Alertmanagers than the definitions configure will page ("" when it pages nothing)."""
    configured = len(definitions.stack.alertmanagers)
    if running >= configured or MISSING_ALERT not in definitions.alerts:
        return ""
    return (f"--alertmanagers {running}: the definitions configure {configured} Alertmanagers, so this stack's "
            f"Prometheus knows fewer and {MISSING_ALERT} pages within a minute; leave --alertmanagers out to run "
            "the definitions' own")
