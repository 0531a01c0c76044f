"""Prometheus' notifier across a reload: the alert notifications it dropped while it knew no Alertmanager.

Prometheus releases without prometheus/prometheus#14987 (merged 2024-10; Debian's 2.42, which `obsgen up` runs,
lacks it) empty their notifier's list of Alertmanagers on every reload (`notifier.ApplyConfig` builds new, empty
sets: issue #13064) and fill it again only at the next service-discovery update, sent every 5 s counted from when
Prometheus started. Every alert sent in between is dropped (prometheus_notifications_dropped_total) and reaches
Alertmanager only at its next resend (--rules.alert.resend-delay, 1m by default), so alerts arrive late and out of
order: an alert an inhibit rule mutes can arrive before the alert muting it, and be told (NT006's mechanism).

After a reload it verified, apply waits (at most WAIT) until the notifier knows an Alertmanager again, when it knew
some before and the new configuration names some, then tells how many notifications were dropped across the reload.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from generator.apply.http import Api
from generator.apply.reload import gauge, written
from generator.core.wording import counted, plural_of

DISCOVERED = "prometheus_notifications_alertmanagers_discovered"
DROPPED = "prometheus_notifications_dropped_total"
DISCOVERY_INTERVAL = 5.0
"""How often Prometheus' discovery manager sends what it found to the notifier (discovery/manager.go's updatert)."""
WAIT = 3 * DISCOVERY_INTERVAL
"""The longest apply waits for the notifier to find its Alertmanagers again: one update finds them; three spare a
loaded machine."""
POLL = 0.2


def _names_alertmanagers(config: Any) -> bool:
    """Whether a prometheus.yml sends alerts anywhere (an alerting.alertmanagers entry)."""
    alerting = (config.get("alerting") if isinstance(config, dict) else None) or {}
    return isinstance(alerting, dict) and bool(alerting.get("alertmanagers"))


def _number(value: float, noun: str, plural: str = "") -> str:
    """A gauge's value counted, whole; NaN or ±Inf (a hostile or broken /metrics) written as Prometheus writes them,
    since no round() takes them."""
    if math.isfinite(value):
        return counted(round(value), noun, plural)
    return f"{written(value)} {plural_of(value, noun, plural)}"


def _known(api: Api) -> float:
    return gauge(api, DISCOVERED) or 0.0


def _found_again(api: Api, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        if _known(api) > 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)


def watch(api: Api, config: Any) -> Callable[[], list[str]]:
    """Read before the reload: how many Alertmanagers the notifier knows and how many notifications it dropped so
    far. The function returned, called once the reload is verified, waits for the notifier to know one again and
    says what the reload cost: nothing when it dropped nothing, or when there was nothing to wait for (no
    Alertmanager known before, none named by the new prometheus.yml, `config`: a Prometheus sending nowhere drops
    every alert)."""
    known, before = _known(api), gauge(api, DROPPED)
    if not known or before is None or not _names_alertmanagers(config):
        return lambda: []

    def told() -> list[str]:
        lines = []
        if not _found_again(api, WAIT):
            lines.append(f"Prometheus' notifier knew {_number(known, 'Alertmanager')} before the reload "
                         f"and none {WAIT:g} s after it: it drops every alert it sends until it finds one (see its "
                         "/api/v1/alertmanagers and alerting.alertmanagers in prometheus.yml)")
        lost = (gauge(api, DROPPED) or before) - before
        if lost > 0:
            lines.append(f"Prometheus dropped {_number(lost, 'alert notification')} across the reload "
                         f"({DROPPED}): before prometheus/prometheus#14987 its notifier forgets its Alertmanagers at "
                         f"each reload until its next service discovery (up to {DISCOVERY_INTERVAL:g} s). Those alerts "
                         "reach Alertmanager at their next resend (--rules.alert.resend-delay, 1m by default), late "
                         "and out of order: an alert an inhibit rule mutes may have been told before the alert "
                         "muting it")
        return lines
    return told
