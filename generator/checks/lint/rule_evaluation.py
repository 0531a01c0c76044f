"""How often the rendered Prometheus files evaluate each recorded series, and Grafana's shortest step.

Read from what the build renders (prometheus.yml's global evaluation_interval, each rule file's groups with their
own `interval`), so obsgen's groups, aggregation groups and imported rule sets are read as Prometheus reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.model import RuleSet, conventions
from generator.model.project import Project

PROMETHEUS_EVALUATION_DEFAULT = 60.0
"""Prometheus' global evaluation_interval when prometheus.yml sets none (1m)."""


@dataclass(frozen=True)
class Recorded:
    """Where a recorded series is written and how often: its rule group, that group's file and interval."""

    group: str
    file: str
    every: float
    """Seconds between two evaluations of the group."""
    own_interval: bool
    """Whether the group sets its `interval`; else it runs at the global evaluation_interval."""
    where: str = ""
    """The definition writing the rule (file:line), when one does."""

    @property
    def said(self) -> str:
        """How a message names the group and why it runs so often."""
        why = "its own interval" if self.own_interval else "the global evaluation_interval"
        at = f", {self.where}" if self.where else ""
        return f"rule group {self.group!r} ({self.file}{at}), evaluated every {format_seconds(self.every)} ({why})"


def _definitions(project: Project) -> dict[str, str]:
    """file:line of the definition writing each recorded series."""
    found = {name: str(rule.location) for name, rule in project.recording_rules.items()}
    for rule_set in project.all(RuleSet):
        for record in rule_set.records():
            found.setdefault(record.name, str(rule_set.location))
    return found


def recorded_series(rendered: Mapping[str, Any], project: Project) -> dict[str, Recorded]:
    """Each series a rendered rule file records, with the group recording it (the slowest, when several do)."""
    settings = (rendered.get(conventions.PROMETHEUS_CONFIG) or {}).get("global") or {}
    default = settings.get("evaluation_interval")
    every_default = parse_seconds(str(default)) if default else PROMETHEUS_EVALUATION_DEFAULT
    where = _definitions(project)
    found: dict[str, Recorded] = {}
    for path, document in sorted(rendered.items()):
        if not path.startswith(conventions.RULES_DIR + "/") or not isinstance(document, dict):
            continue
        for group in document.get("groups") or []:
            own = group.get("interval")
            every = parse_seconds(str(own)) if own else every_default
            for rule in group.get("rules") or []:
                name = str(rule.get("record") or "")
                if name and (name not in found or found[name].every < every):
                    found[name] = Recorded(str(group.get("name")), path, every, bool(own), where.get(name, ""))
    return found


def shortest_step(project: Project) -> float:
    """Grafana's minimum step for the project's Prometheus data source: its timeInterval, the scrape interval
    (targets/grafana_provisioning writes it so)."""
    return parse_seconds(project.stack.scrape_interval)
