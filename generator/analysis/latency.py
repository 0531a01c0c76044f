"""Static upper bounds on alert latency, from the definitions' timings alone.

From the moment the monitored system changes to the notification of the alert:

    detect  = scrape + job + window + evaluations    the rule side (generator.analysis.latency_path): the scrape
                                                      (LogQL alerts: the collector's flush to Loki), the
                                                      exporter's runs, the range window, each recording level's
                                                      group interval, then the alert's own group interval
            + for (rounded up to evaluations)        pending until the condition has held that long
    notify  = wait + peer                            the notification side (generator.analysis.latency_notify):
                                                      group_wait, or group_interval for an alert joining a group
                                                      that already notified, plus the HA peer wait
    bound   = detect + notify

Two readings of the plan's "under 30 s from detection to notification" are printed, each named:
"firing -> notification" (`notify`, the reading docs/configuration.md states) and "condition true ->
notification" (the alert's own evaluation + for + notify). An escalation level adds, after its alert fires:
one evaluation of the level's rule, its delay and its route's notify.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.analysis.delivery import Delivery, deliveries
from generator.analysis.latency_notify import Notify, notify_of
from generator.analysis.latency_path import (
    ReadPath,
    Sources,
    exporter_jobs,
    read_path,
    rule_intervals,
    scrape_timeout,
)
from generator.core import logql
from generator.core.alert_routing import Routes
from generator.core.duration import parse_seconds
from generator.derive.escalation import alert_escalation, escalation_rules
from generator.derive.examples import sent_labels
from generator.model import Alert
from generator.model.conventions import ESCALATION_POLICY_LABEL
from generator.model.logs import LogAlert, LogStorage, LogStream
from generator.model.project import Project
from generator.targets.alertmanager import config as alertmanager_config
from generator.targets.exporter import config as exporter_config
from generator.targets.loki import alert_rule as log_alert_rule
from generator.targets.otelcol import LOKI_FLUSH_TIMEOUT_S
from generator.targets.prometheus import rule_groups

FILELOG_POLL_S = 0.2
"""The collector's file_log receiver reads new lines every 200 ms (its default poll_interval)."""


@dataclass(frozen=True)
class Bound:
    """The static latency bound of one alert (or escalation level), in seconds."""

    name: str
    path: ReadPath
    evaluation: float
    """The alert rule's own evaluation interval (its group's)."""
    for_: float
    route: Notify

    @property
    def receiver(self) -> str:
        """The first receiver the alert reaches."""
        return self.route.receiver

    @property
    def evaluations(self) -> float:
        """Recording levels, then the alert's own evaluation."""
        return self.path.evaluations + self.evaluation

    @property
    def detect(self) -> float:
        """From the change in the monitored system to the alert firing."""
        return self.path.scrape + self.path.job + self.path.window + self.evaluations + self.for_

    @property
    def notify(self) -> float:
        """From the alert firing to the notification ("firing -> notification"), whatever group it joins."""
        return self.route.worst

    @property
    def held(self) -> float:
        """From the alert's condition being true in the data it reads to the notification ("condition true ->
        notification"): its next evaluation, its for, then notify."""
        return self.evaluation + self.for_ + self.notify

    @property
    def total(self) -> float:
        """From the change to the notification."""
        return self.detect + self.notify


@dataclass(frozen=True)
class Settings:
    """What every bound of a project reads: rule sources, group intervals and the Alertmanager config's routes."""

    sources: Sources
    alert_intervals: dict[str, float]
    evaluation: float
    routes: Routes
    replicas: int

    @classmethod
    def of(cls, project: Project) -> Settings:
        """The settings of the generated configuration, as the targets render it."""
        stack = project.stack
        scrape, evaluation = parse_seconds(stack.scrape_interval), parse_seconds(stack.evaluation_interval)
        groups = [group for document in rule_groups(project).values() for group in document["groups"]]
        recorded, alert_intervals = rule_intervals(groups, evaluation)
        sources = Sources(scrape, scrape_timeout(scrape), recorded, exporter_jobs(exporter_config(project)))
        return cls(sources, alert_intervals, evaluation, generated_routes(project), len(stack.alertmanagers))


def generated_routes(project: Project) -> Routes:
    """The generated Alertmanager tree, read as the stack's release (Stack.alertmanager_version) reads it."""
    return Routes.read(alertmanager_config(project), project.stack.alertmanager_version)


def route_for(project: Project, labels: dict[str, str]) -> Delivery:
    """The first receiver the generated Alertmanager tree sends an alert with these labels to."""
    return deliveries(generated_routes(project), labels)[0]


def rounded_up(seconds: float, step: float) -> float:
    """seconds rounded up to whole steps (a `for` is checked once per evaluation)."""
    return math.ceil(seconds / step) * step if step else seconds


def alert_bound(project: Project, alert: Alert, settings: Settings | None = None) -> Bound:
    """The bound of one alert."""
    settings = settings or Settings.of(project)
    evaluation = settings.alert_intervals.get(alert.name, settings.evaluation)
    route = notify_of(settings.routes, {"alertname": alert.name, **sent_labels(project, alert)},
                      settings.replicas)
    return Bound(alert.name, read_path(alert.condition, settings.sources), evaluation,
                 rounded_up(parse_seconds(alert.for_), evaluation), route)


def escalation_bounds(project: Project, settings: Settings | None = None) -> list[Bound]:
    """Per escalation level of every policy: from its alert firing to the level's notification."""
    settings = settings or Settings.of(project)
    found = []
    for policy in project.escalation_policies.values():
        for level in escalation_rules(policy):
            evaluation = settings.alert_intervals.get(level.alert, settings.evaluation)
            labels = {"alertname": level.alert, **project.stack.external_labels, ESCALATION_POLICY_LABEL: policy.name,
                      **level.labels}
            found.append(Bound(f"{policy.name} level {level.level}", ReadPath(), evaluation,
                               rounded_up(parse_seconds(level.after), evaluation),
                               notify_of(settings.routes, labels, settings.replicas)))
    return found


def _log_storage(project: Project) -> LogStorage | None:
    """The declared Loki storage, whose ruler evaluates the LogQL alerts; None when Loki is not generated."""
    stores = project.all(LogStorage)
    return stores[0] if stores else None


def log_read_path(expr: str, tailed: bool) -> ReadPath:
    """A LogQL alert's side before its own evaluation: the collector's flush to Loki (and a poll of the files it
    tails), then the longest range it counts over."""
    try:
        ranges = logql.parse(expr).ranges
    except logql.LogQLError:
        ranges = ()
    return ReadPath(scrape=LOKI_FLUSH_TIMEOUT_S + (FILELOG_POLL_S if tailed else 0.0),
                    window=max(map(parse_seconds, ranges), default=0.0))


def log_alert_bounds(project: Project, settings: Settings | None = None) -> tuple[list[Bound], list[Bound]]:
    """The LogQL alerts evaluated by Loki's ruler, then their escalation levels (from the alert firing); none
    without Loki storage."""
    storage = _log_storage(project)
    if storage is None:
        return [], []
    settings = settings or Settings.of(project)
    evaluation = parse_seconds(storage.evaluation_interval)
    replicas = len([url for url in storage.alertmanager_url.split(",") if url.strip()])
    tailed = any(stream.paths for stream in project.all(LogStream))
    alerts, levels = [], []
    for alert in project.all(LogAlert):
        labels = {"alertname": alert.name, **project.stack.external_labels, **log_alert_rule(project, alert)["labels"]}
        alerts.append(Bound(alert.name, log_read_path(alert.expr, tailed), evaluation,
                            rounded_up(parse_seconds(alert.for_), evaluation),
                            notify_of(settings.routes, labels, replicas)))
        # each level is the alert's own LogQL held longer: its delay after the alert fires, at the next evaluation
        levels += [Bound(f"{alert.name} level {level.level}", ReadPath(), evaluation,
                         rounded_up(parse_seconds(level.after), evaluation),
                         notify_of(settings.routes, {**labels, **level.labels}, replicas))
                   for level in alert_escalation(project, alert)]
    return alerts, levels


def bounds(project: Project) -> list[Bound]:
    """Every Prometheus alert's bound, in definition order."""
    settings = Settings.of(project)
    return [alert_bound(project, alert, settings) for alert in project.alerts.values()]
