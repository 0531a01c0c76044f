"""An alert as a reviewer needs to see it, read from a generated out/: what it watches, whom it pages, how fast.

Expression, for, severity and labels come from its rule; receivers from routing its labels through
alertmanager.yml; escalation from the escalation rules over ALERTS that name its policy, each routed in
turn; the latency bound (obsgen latency's formula) from the scrape and evaluation intervals, the
recording rules it reads, its for, and the group_wait of the route it takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.analysis.delivery import Delivery, deliveries
from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.routing import CONFIG
from generator.analysis.diff.rules import RULES_DIR, canonical_expr
from generator.analysis.latency import Bound, read_path, rounded_up
from generator.core.duration import format_seconds, parse_seconds
from generator.derive.escalation import POLICY_LABEL

PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
BOUND = "latency bound"
TIMINGS = ("group_wait", "group_interval", "repeat_interval")


@dataclass(frozen=True)
class Escalation:
    """One escalation level: after how long, and whom it reaches."""

    level: str
    after: str
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class AlertView:
    """Everything about one alert that decides who is told, when."""

    name: str
    expr: str
    for_: str
    labels: dict[str, str]
    deliveries: tuple[Delivery, ...]
    escalations: tuple[Escalation, ...]
    bound: Bound

    def fields(self) -> dict[str, str]:
        """The view as named lines, in the order a reviewer reads them."""
        fields = {"expr": self.expr, "for": self.for_, "severity": self.labels.get("severity", ""),
                  "labels": ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "severity"),
                  "receivers": "; ".join(map(str, self.deliveries)),
                  "escalation": "; ".join(f"level {e.level} after {e.after}: "
                                          f"{', '.join(d.receiver for d in e.deliveries)}" for e in self.escalations),
                  BOUND: (f"{format_seconds(self.bound.total)} from a change to the notification (detect "
                                    f"{format_seconds(self.bound.detect)} + group_wait "
                                    f"{format_seconds(self.bound.notify)})")}
        return {key: value for key, value in fields.items() if value}


def _rules(tree: OutTree) -> Iterator[dict[str, Any]]:
    for path in tree.paths(RULES_DIR, ".yml"):
        for group in (tree.document(path) or {}).get("groups") or ():
            yield from group.get("rules") or ()


def _seconds(value: Any, default: str) -> float:
    return parse_seconds(str(value or default))


def alert_view(tree: OutTree, name: str) -> AlertView | None:
    """The first alerting rule called name, seen whole; None when out/ has no such alert."""
    rules = list(_rules(tree))
    rule = next((r for r in rules if r.get("alert") == name), None)
    if rule is None:
        return None
    config = tree.document(CONFIG) or {}
    labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
    delivered = tuple(deliveries(config, {"alertname": name, **labels}))
    policy = labels.get(POLICY_LABEL)
    escalations = tuple(
        Escalation(str(level["labels"]["escalation_level"]), str(level.get("for", "0s")),
                   tuple(deliveries(config, {**labels, "escalated_alertname": name, "alertname": str(level["alert"]),
                                             **{str(k): str(v) for k, v in level["labels"].items()}})))
        for level in rules if policy and "alert" in level and "escalation_level" in (level.get("labels") or {})
        and f'{POLICY_LABEL}="{policy}"' in str(level["expr"]))
    settings = (tree.document(PROMETHEUS_CONFIG) or {}).get("global") or {}
    scrape = _seconds(settings.get("scrape_interval"), "1m")
    evaluation = _seconds(settings.get("evaluation_interval"), "1m")
    recorded = {str(r["record"]): str(r["expr"]) for r in reversed(rules) if "record" in r}
    path = read_path(str(rule["expr"]), recorded)
    bound = Bound(name, delivered[0].receiver, scrape if path.scraped else 0.0, path.window,
                  (path.depth + 1) * evaluation, rounded_up(_seconds(rule.get("for"), "0s"), evaluation),
                  parse_seconds(delivered[0].group_wait))
    return AlertView(name, canonical_expr(rule["expr"]), str(rule.get("for") or "0s"), labels, delivered,
                     escalations, bound)


def _reached(view: AlertView) -> dict[str, Delivery]:
    found = {d.receiver: d for d in view.deliveries}
    found |= {f"escalation level {e.level} after {e.after}: {d.receiver}": d for e in view.escalations
              for d in e.deliveries}
    return found


def _timings(delivery: Delivery) -> str:
    return (f"group_wait {delivery.group_wait}, group_interval {delivery.group_interval}, "
            f"repeat_interval {delivery.repeat_interval}")


def routing_consequences(old: AlertView, new: AlertView) -> list[str]:
    """Receivers the alert (or its escalation) gains or loses, and the timings or people of those it keeps."""
    before, after = _reached(old), _reached(new)
    lines = [f"now also notifies {key}: {after[key].reaches} ({_timings(after[key])})" for key in after
             if key not in before]
    lines += [f"no longer notifies {key}: {before[key].reaches}" for key in before if key not in after]
    for key in (k for k in after if k in before):
        was, now = before[key], after[key]
        changed = [f"{name} {getattr(was, name)} -> {getattr(now, name)}" for name in TIMINGS
                   if getattr(was, name) != getattr(now, name)]
        changed += [f"reaches {now.reaches} (was {was.reaches})"] if was.reaches != now.reaches else []
        if changed:
            lines.append(f"{key}: {', '.join(changed)}")
    return lines
