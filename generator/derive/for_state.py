"""What Prometheus restores of its alerts' `for` after a restart, chosen from the definitions, not left to defaults
(Loki's ruler, built on Prometheus' rule manager, takes the same two durations in its ruler block).

Prometheus records each pending or firing alert's start in the ALERTS_FOR_STATE series and, after a
restart, gives the alert back that start, so a firing alert fires again at its first evaluations and an
escalation level keeps counting from where it was. Two flags bound this:

- `--rules.alert.for-grace-period` (default 10m): an alert whose `for` is shorter is not restored at all,
  it waits its whole `for` again. With the default every alert held 2m or 5m would go back to pending
  on a restart, go quiet towards Alertmanager, get resolved there and page again. The grace period is
  the shortest `for` of the definitions, so every alert that holds is restored.
- `--rules.alert.for-outage-tolerance` (default 1h): after a longer outage nothing is restored. It is
  the longest `for` of the definitions (an escalation ladder's top level, usually), so a ladder survives
  any outage shorter than its climb, and never below Prometheus' default.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.duration import format_seconds, parse_seconds
from generator.derive.escalation import alert_escalation, level_hold
from generator.model import LogAlert, RuleSet
from generator.model.project import Project

PROMETHEUS_DEFAULT_TOLERANCE = 3600.0


@dataclass(frozen=True)
class ForState:
    """The two durations, as Prometheus flags take them."""

    grace_period: str
    outage_tolerance: str

    def flags(self) -> list[str]:
        """Command-line flags for `prometheus`."""
        return [f"--rules.alert.for-grace-period={self.grace_period}",
                f"--rules.alert.for-outage-tolerance={self.outage_tolerance}"]

    def ruler_fields(self) -> dict[str, str]:
        """The same, as fields of Loki's ruler block (its defaults are Prometheus')."""
        return {"for_grace_period": self.grace_period, "for_outage_tolerance": self.outage_tolerance}


def _holds(project: Project) -> list[float]:
    """Every non-zero `for` of an alerting rule the build writes, in seconds."""
    holds = [parse_seconds(alert.for_) for alert in project.alerts.values()]
    holds += [parse_seconds(level.after) for policy in project.escalation_policies.values() for level in policy.levels]
    holds += [parse_seconds(rule.for_ or "0s") for rule_set in project.all(RuleSet) for rule in rule_set.alerts()]
    return [hold for hold in holds if hold > 0]


def _chosen(holds: list[float], time_scale: float = 1.0) -> ForState:
    """The shortest hold as the grace period; the longest, never below the 1h default, as the tolerance."""
    holds = holds or [PROMETHEUS_DEFAULT_TOLERANCE * time_scale]
    tolerance = max(max(holds), PROMETHEUS_DEFAULT_TOLERANCE * time_scale)
    return ForState(grace_period=format_seconds(min(holds)), outage_tolerance=format_seconds(tolerance))


def for_state(project: Project, time_scale: float = 1.0) -> ForState:
    """Grace period and outage tolerance for the project's alerts; `time_scale` compresses the 1h floor alike."""
    return _chosen(_holds(project), time_scale)


def log_for_state(project: Project) -> ForState:
    """The same for Loki's ruler, from the log alerts' `for` and their escalation levels' (alert + level)."""
    holds = [parse_seconds(alert.for_) for alert in project.all(LogAlert)]
    holds += [parse_seconds(level_hold(alert, level)) for alert in project.all(LogAlert)
              for level in alert_escalation(project, alert)]
    return _chosen([hold for hold in holds if hold > 0])
