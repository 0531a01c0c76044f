"""What the shipped dashboards read, and how far back: which raw series need history, which recording rules
need evaluating over it.

A panel over the last hour that rates a counter with a 1 m window reads 1 h + 1 m of it; a panel showing a
recorded series reads that series, and the rule read its inputs one window further back. Writing exactly that
much history per series (capped) is what keeps a production-sized fleet writable on a small machine: the
dashboards' queries touch the same samples as on a server holding months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.checks.lint.dashboard_json import panels
from generator.core.duration import parse_seconds
from generator.core.grafana_promql import variable_names
from generator.core.promql import selectors
from generator.preview.queries import requests_for
from generator.preview.source import DashboardFile

LOOKBACK = 300.0
"""Prometheus' default lookback: an instant selector reads up to 5 m back."""
MATCHER = re.compile(r'^\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$')


@dataclass(frozen=True)
class Rule:
    """A shipped recording rule as Prometheus loads it."""

    name: str
    expr: str
    labels: dict[str, str]
    interval: float


def shipped_rules(rules_dir: Path, default_interval: float) -> dict[str, Rule]:
    """Every recording rule under out/prometheus/rules, with its group's evaluation interval."""
    found: dict[str, Rule] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups", []):
            interval = parse_seconds(group["interval"]) if group.get("interval") else default_interval
            for rule in group.get("rules", []):
                if "record" in rule:
                    found.setdefault(rule["record"], Rule(rule["record"], rule["expr"], rule.get("labels") or {},
                                                          interval))
    return found


def _unescape(value: str) -> str:
    return value.encode().decode("unicode_escape")


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a selector."""

    label: str
    op: str
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether the series' labels satisfy it (a missing label is the empty value)."""
        have = labels.get(self.label, "")
        if self.op in ("=", "!="):
            return (have == self.value) == (self.op == "=")
        return bool(re.fullmatch(self.value, have)) == (self.op == "=~")


def matchers(written: frozenset[str]) -> tuple[Matcher, ...]:
    """A selector's matchers as the promql module lists them ('status=~"5.."')."""
    parsed = []
    for text in written:
        found = MATCHER.match(text)
        if found:
            parsed.append(Matcher(found[1], found[2], _unescape(found[3])))
    return tuple(parsed)


@dataclass
class Reads:
    """Seconds of history each selected set of raw series needs, and each recording rule's evaluation span."""

    raw: dict[str, list[tuple[tuple[Matcher, ...], float]]] = field(default_factory=dict)
    rules: dict[str, float] = field(default_factory=dict)

    def span(self, name: str, labels: dict[str, str]) -> float:
        """Seconds back from the end a raw series must reach; 0 when nothing reads it."""
        return max((seconds for found, seconds in self.raw.get(name, ())
                    if all(m.matches(labels) for m in found)), default=0.0)


class ReadsBuilder:
    """Walks dashboard queries down through recording rules into the raw series they read."""

    def __init__(self, rules: dict[str, Rule], raw_names: set[str], raw_cap: float, rule_cap: float) -> None:
        self.rules, self.raw_names = rules, raw_names
        self.raw_cap, self.rule_cap = raw_cap, rule_cap
        self.reads = Reads()

    def expression(self, expr: str, reach: float, through_rule: bool = False, seen: frozenset[str] = frozenset()
                   ) -> None:
        """Record what expr reads when evaluated over the `reach` seconds back from the end."""
        for selector in selectors(expr):
            span = reach + (selector.window or LOOKBACK) + selector.offset
            if selector.name in self.rules and selector.name not in seen:
                history = min(span, self.rule_cap)  # a rule is evaluated over at most rule_cap of the past
                self.reads.rules[selector.name] = max(self.reads.rules.get(selector.name, 0.0), history)
                self.expression(self.rules[selector.name].expr, history, True, seen | {selector.name})
            elif selector.name in self.raw_names:
                cap = self.rule_cap if through_rule else self.raw_cap
                self.reads.raw.setdefault(selector.name, []).append((matchers(selector.matchers), min(span, cap)))

    def dashboard(self, dashboard: DashboardFile, now: float, page_width: int, scrape: float) -> None:
        """Every panel target of a dashboard at its default time range and variables."""
        values = dashboard.variable_defaults()
        for panel in panels(dashboard.document):
            for request in requests_for(dashboard.document, panel, values, now, page_width, scrape):
                if not variable_names(request.expr):  # a variable the dashboard lacks: Grafana sends `$x` as written
                    self.expression(request.expr, 0.0 if request.instant else request.end - request.start)


def levels(rules: dict[str, Rule], needed: dict[str, float]) -> list[list[str]]:
    """The needed rules in evaluation order: a rule reading another's recorded series comes a level after it
    (promtool's rule backfill only reads series already in the TSDB)."""
    depth: dict[str, int] = {}

    def level(name: str, seen: frozenset[str]) -> int:
        if name not in depth:
            inputs = [s.name for s in selectors(rules[name].expr) if s.name in needed and s.name not in seen]
            depth[name] = 1 + max((level(i, seen | {name}) for i in inputs), default=-1)
        return depth[name]

    for name in needed:
        level(name, frozenset({name}))
    return [sorted(n for n in needed if depth[n] == k) for k in range(max(depth.values(), default=-1) + 1)]
