"""An inhibit rule may not hold after an old Alertmanager (< 0.30.0) restarts or reloads, or an old Prometheus reloads.

Alertmanager keeps alerts in memory only. A restarted one learns of each firing alert when its ruler re-sends it
(every resend delay, 1m by default: up to 75 s at a 15 s evaluation interval), and an aggregation group whose
alert started more than group_wait ago is flushed at once (dispatch/dispatch.go). So an alert an inhibit rule
mutes can be notified before the alert muting it is back: an SLO's absent page and the TargetDown it mutes, or a
declared `Inhibition`'s consequence, reach people once per restart (prometheus/alertmanager#4064, #2229, #2628). A
reload rebuilds the inhibitor and the dispatcher side by side, and the same can happen (#4064, #3407). A longer
group_wait is no fix: it counts from the alert's own start, so an alert firing longer than group_wait is sent at
once all the same. Alertmanager 0.30.0 holds every group's first notification after a start
(`--dispatch.start-delay`, #4704, which obsgen sets in compose and Kubernetes) and has a reload wait for the
inhibitor (#4705). Checked where Stack.alertmanager_version is before 0.30.0, for the inhibit rules obsgen writes:
each declared `Inhibition`, each SLO's (its shorter burn window muting the longer ones and its tickets, its absent
page muting TargetDown of its inputs' jobs), and the severities' (a higher severity muting the same alert at a
lower one, when some alert fires at two).

A Prometheus without prometheus/prometheus#14987 empties its notifier's Alertmanager list at every reload until its
next service-discovery update (every 5 s from its start, #13064): the alerts it sends meanwhile are dropped and reach
Alertmanager at their next resend, out of order, so the same can happen after each Prometheus reload (`obsgen apply`
reloads it, and tells how many notifications the reload dropped). Measured on Debian's 2.42: a TargetDown its SLO's
absent page mutes was told firing, then resolved, when the page's sends fell in the gap. Checked where
Stack.prometheus_version is before 3.0.0: #14987 was merged in 2024-10, and 3.0.0 (2024-11) is taken as the first
release with it; no CHANGELOG entry naming the release was found, so a 2.55 is warned of too. Only for the inhibit
rules whose muting alert Prometheus sends: a `LogAlert` is sent by Loki's ruler, which a Prometheus reload does not
touch (an `Inhibition` whose source names a log alert, the severities' rule for log alerts at two severities).

    Stack(name="shop", ..., alertmanager_version="0.25.0")
    Inhibition(name="tempo down mutes the collector's export", source={"alertname": "TargetDown", "job": "tempo"},
               target={"alertname": "OtelCollectorExportFailing", "exporter": "otlp_grpc/tempo"})

Fix: run Alertmanager 0.30.0 or later and say so in `Stack.alertmanager_version`, and Prometheus 3.0.0 or later in
`Stack.prometheus_version` (the message names the Stack's line). Where `obsgen up` judges the releases installed
where it runs, install newer ones there and restart the live stack (`obsgen down`, then `obsgen up`). Where that
cannot be, expect one notification of a muted alert per restart or reload, and switch this off with the reason:
`CheckSettings(disable={"NT006": "Alertmanager 0.25 until the upgrade"})`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.notify.release_advice import upgrade
from generator.core.duration import format_seconds
from generator.core.errors import Level
from generator.core.listing import first_few
from generator.core.releases import ordered
from generator.derive.dispatch_start import START_DELAY_SINCE, has_start_delay, longest_resend
from generator.derive.slo.inhibitions import inhibitions
from generator.derive.slo.target_down import TARGET_DOWN, input_jobs, target_down_keeps_job
from generator.model import SLO, Definition, LogAlert, RuleSet
from generator.model.notify import Inhibition
from generator.model.project import Project

CODE = "NT006"
NAME = "inhibition-race-after-restart"
LEVEL = Level.WARNING
RELEASES = True
"""It judges Stack.alertmanager_version and Stack.prometheus_version: run on a profiled project (checks/base.py)."""
SHOWN = 3
"""Names listed before "and N more"."""
KEEPS_ALERTMANAGERS_SINCE = (3, 0, 0)
"""The first Prometheus taken to keep its notifier's Alertmanagers across a reload (prometheus/prometheus#14987,
merged 2024-10; see the docstring above)."""
Muting = tuple[Definition, tuple[str | int, ...], str, bool]
"""What a definition's inhibit rules mute: (the definition, its field at fault, "what (muted while what fires)",
whether Prometheus sends the alert muting it: not Loki's ruler)."""


def _muting(at: Definition, field: tuple[str | int, ...], muted: str, by: str, prometheus: bool = True) -> Muting:
    return at, field, f"{muted} (muted while {by} fires)", prometheus


def _log_alerts(project: Project) -> set[str]:
    """The names of the alerts only Loki's ruler sends (LogAlert), not also a Prometheus rule."""
    prometheus = {*project.alerts, *(alert.name for rule_set in project.all(RuleSet) for alert in rule_set.alerts())}
    return {alert.name for alert in project.all(LogAlert)} - prometheus


def _selector(labels: dict[str, str]) -> str:
    """An alert's labels as people read them: TargetDown{job="tempo"}."""
    rest = ",".join(f'{name}="{value}"' for name, value in sorted(labels.items()) if name != "alertname")
    return labels.get("alertname", "") + (f"{{{rest}}}" if rest else "")


def _severity_ladder(project: Project, logged: set[str]) -> Iterator[Muting]:
    """The severities' rule, where some alert name fires at two of them (else it mutes nothing)."""
    ladder = [severity.name for severity in project.alerting.severities]
    severities: dict[str, set[str]] = {}
    alerts = [*((alert.name, alert.severity) for alert in project.alerts.values()),
              *((alert.name, alert.severity) for alert in project.all(LogAlert)),
              *((alert.name, alert.severity) for rule_set in project.all(RuleSet) for alert in rule_set.alerts())]
    for name, severity in alerts:
        if severity in ladder:
            severities.setdefault(name, set()).add(severity)
    twice = sorted(name for name, found in severities.items() if len(found) > 1)
    for prometheus in (True, False):  # a log alert at a higher severity is sent by Loki's ruler
        names = [name for name in twice if (name not in logged) is prometheus]
        if names:
            yield _muting(project.alerting, ("severities",), f"{first_few(names, SHOWN)} at a lower severity",
                          "the same alert at a higher one", prometheus)


def _slos(project: Project) -> Iterator[Muting]:
    paired = target_down_keeps_job(project)
    for slo in project.all(SLO):
        if inhibitions(slo):
            yield _muting(slo, ("alerting",), f"SLO {slo.name}: its longer burn windows and tickets",
                          "its shorter window")
        jobs = list(input_jobs(project, slo)) if paired else []
        if jobs:
            yield _muting(slo, (), f"{TARGET_DOWN} of job {first_few(jobs, SHOWN)}", slo.absent_alert)


def _declared(project: Project, logged: set[str]) -> Iterator[Muting]:
    for inhibition in project.all(Inhibition):
        yield _muting(inhibition, ("target",), _selector(inhibition.target), _selector(inhibition.source),
                      inhibition.source.get("alertname") not in logged)


Race = tuple[str, str]
"""(what lets a muted alert through, why and what fixes it)."""


def _races(project: Project) -> tuple[list[Race], list[Race]]:
    """The races of the stack's releases: (those of every inhibit rule, those of a rule Prometheus' alert mutes)."""
    alertmanager, prometheus = project.stack.alertmanager_version, project.stack.prometheus_version
    every, sent_by_prometheus = [], []
    if not has_start_delay(alertmanager):
        every.append((f"Alertmanager {alertmanager} restarts or reloads",
                      "it has no --dispatch.start-delay, and it sends at once a group whose alert started more than "
                      "group_wait ago, so no group_wait prevents it (prometheus/alertmanager#4064); "
                      f"{upgrade(project, 'alertmanager_version', START_DELAY_SINCE)}"))
    if ordered(prometheus) < KEEPS_ALERTMANAGERS_SINCE:
        sent_by_prometheus.append((
            f"Prometheus {prometheus} reloads",
            f"Prometheus {prometheus} drops the alerts it sends from a reload until its next service discovery, up "
            "to 5 s, and sends them again only at their next resend (prometheus/prometheus#13064); "
            f"{upgrade(project, 'prometheus_version', KEEPS_ALERTMANAGERS_SINCE)}"))
    return every, sent_by_prometheus


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    every, sent_by_prometheus = _races(project)
    if not every and not sent_by_prometheus:
        return
    by_place: dict[tuple[str, int, bool], list[Muting]] = {}
    logged = _log_alerts(project)
    for muting in (*_declared(project, logged), *_slos(project), *_severity_ladder(project, logged)):
        by_place.setdefault((muting[0].location.file, muting[0].location.line, muting[3]), []).append(muting)
    resend = format_seconds(longest_resend(project))
    for (_, _, prometheus), mutings in by_place.items():
        races = every + sent_by_prometheus if prometheus else every
        if not races:
            continue
        at, field, _, _ = mutings[0]
        what = "; ".join(text for _, _, text, _ in mutings)
        yield Finding(at, f"after {' or '.join(when for when, _ in races)}, {what} can be notified before the alert "
                          f"muting it is re-sent (up to {resend} later): {'; '.join(why for _, why in races)}",
                      field if len(mutings) == 1 else (), (project.stack.location,))
