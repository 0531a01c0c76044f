"""An alert as a reviewer needs to see it, read from a generated out/: what it watches, whom it pages, how fast.

Expression, for, severity and labels come from its rule; receivers from routing its labels through
alertmanager.yml; escalation from its escalation copies (rules of its name with an escalation level), each
routed in turn with the alert's labels; the latency bound (obsgen latency's formula) from the scrape settings,
the rule groups' intervals, the recording rules and exporter jobs it reads, its for, the route it takes and the
number of Alertmanagers Prometheus sends to (a LogQL alert's from Loki's ruler settings and the collector's
flush instead).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.analysis.delivery import Delivery, deliveries
from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.routing import alertmanager_routes
from generator.analysis.diff.rules import canonical_expr, is_loki, rule_groups
from generator.analysis.latency import Bound, log_read_path, rounded_up
from generator.analysis.latency_notify import notify_of
from generator.analysis.latency_path import Sources, exporter_jobs, read_path, rule_intervals, scrape_timeout
from generator.core.duration import format_seconds, parse_seconds
from generator.model.conventions import ESCALATION_LEVEL_LABEL, PROMETHEUS_CONFIG

EXPORTER_CONFIG = "exporter/exporter.yml"
LOKI_CONFIG = "loki/loki.yaml"
COLLECTOR_DIR = "otelcol/"
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
                          f"{format_seconds(self.bound.detect)} + notify {format_seconds(self.bound.notify)}: "
                          f"group_wait {format_seconds(self.bound.route.group_wait)} or group_interval "
                          f"{format_seconds(self.bound.route.group_interval)}, + peer "
                          f"{format_seconds(self.bound.route.peer)})")}
        return {key: value for key, value in fields.items() if value}


def _rules(tree: OutTree) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Every rule, and whether Loki's ruler evaluates it."""
    for path, group in rule_groups(tree):
        yield from ((is_loki(path), rule) for rule in group.get("rules") or ())


def external_labels(tree: OutTree, loki: bool) -> dict[str, str]:
    """The labels the ruler adds to every alert it sends that lacks them: Prometheus' global.external_labels, or
    Loki's ruler.external_labels."""
    document = tree.document(LOKI_CONFIG if loki else PROMETHEUS_CONFIG) or {}
    labels = ((document.get("ruler") if loki else document.get("global")) or {}).get("external_labels") or {}
    return {str(k): str(v) for k, v in labels.items()}


def _replicas(prometheus: dict[str, Any]) -> int:
    """How many Alertmanagers Prometheus sends to (an HA pair waits peer_timeout)."""
    return sum(len(static.get("targets") or ()) for manager in (prometheus.get("alerting") or {}).get(
        "alertmanagers") or () for static in manager.get("static_configs") or ())


def _log_bound(tree: OutTree, name: str, rule: dict[str, Any], labels: dict[str, str]) -> Bound:
    """obsgen latency's bound of a LogQL alert, from Loki's ruler settings and the collector's receivers."""
    ruler = (tree.document(LOKI_CONFIG) or {}).get("ruler") or {}
    evaluation = _seconds(ruler.get("evaluation_interval"), "1m")
    replicas = len([url for url in str(ruler.get("alertmanager_url") or "").split(",") if url.strip()])
    tailed = any(receiver.startswith("file_log/") for path in tree.paths(COLLECTOR_DIR, ".yaml")
                 for receiver in (tree.document(path) or {}).get("receivers") or {})
    route = notify_of(alertmanager_routes(tree), {"alertname": name, **labels}, replicas)
    return Bound(name, log_read_path(str(rule["expr"]), tailed), evaluation,
                 rounded_up(_seconds(rule.get("for"), "0s"), evaluation), route)


def _bound(tree: OutTree, name: str, rule: dict[str, Any], labels: dict[str, str]) -> Bound:
    """obsgen latency's bound of an alerting rule, from the generated files."""
    prometheus = tree.document(PROMETHEUS_CONFIG) or {}
    settings = prometheus.get("global") or {}
    scrape = _seconds(settings.get("scrape_interval"), "1m")
    evaluation = _seconds(settings.get("evaluation_interval"), "1m")
    groups = [group for path, group in rule_groups(tree) if not is_loki(path)]
    recorded, alert_intervals = rule_intervals(groups, evaluation)
    sources = Sources(scrape, scrape_timeout(scrape, settings.get("scrape_timeout")), recorded,
                      exporter_jobs(tree.document(EXPORTER_CONFIG) or {}))
    own = alert_intervals.get(name, evaluation)
    route = notify_of(alertmanager_routes(tree), {"alertname": name, **labels}, _replicas(prometheus))
    return Bound(name, read_path(str(rule["expr"]), sources), own, rounded_up(_seconds(rule.get("for"), "0s"), own),
                 route)


def _seconds(value: Any, default: str) -> float:
    return parse_seconds(str(value or default))


def alert_view(tree: OutTree, name: str) -> AlertView | None:
    """The first alerting rule called name, seen whole; None when out/ has no such alert."""
    named = [(loki, r) for loki, r in _rules(tree) if r.get("alert") == name]
    loki, rule = next(((loki, r) for loki, r in named if ESCALATION_LEVEL_LABEL not in (r.get("labels") or {})),
                      (False, None))
    if rule is None:
        return None
    routes = alertmanager_routes(tree)
    labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
    sent = {**external_labels(tree, loki), **labels}  # as the ruler's notifier sends it: routes may match them
    delivered = tuple(deliveries(routes, {"alertname": name, **sent}))
    escalations = tuple(
        Escalation(str(copy["labels"][ESCALATION_LEVEL_LABEL]), str(copy.get("for", "0s")),
                   tuple(deliveries(routes, {"alertname": name, **sent,
                                             **{str(k): str(v) for k, v in copy["labels"].items()}})))
        for _, copy in named if ESCALATION_LEVEL_LABEL in (copy.get("labels") or {}))
    bound = (_log_bound if loki else _bound)(tree, name, rule, sent)
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
