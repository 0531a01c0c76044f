"""Documentation: one runbook page per alert, linked from its runbook_url annotation."""

from __future__ import annotations

from typing import Any

from generator.derive.dashboards import panel_url
from generator.derive.escalation import notified_levels, told_channels
from generator.derive.examples import expression_labels
from generator.derive.notification_grouping import ack_alertmanager, ack_matchers, alert_grouping
from generator.model import Alert, LogAlert, conventions
from generator.model.project import Project
from generator.targets.prometheus import alert_rule
from generator.targets.templating import environment

JINJA = environment()


def _ack_matchers(project: Project, alert: Alert) -> list[str]:
    """A Prometheus alert's: its result's labels known from its firing examples."""
    carried: dict[str, None] = {}
    for example in alert.examples:
        if example.fires:
            carried |= dict.fromkeys(expression_labels(alert, example))
    return ack_matchers(project, alert.labels, alert_grouping(project, alert), carried)


def _faster(project: Project) -> str:
    """How many times faster than the definitions a compressed build runs ("60"); "" for the definitions' own."""
    scale = project.profile.time_scale if project.profile is not None else 1.0
    return "" if scale == 1.0 else f"{1 / scale:g}"


def render(project: Project) -> dict[str, Any]:
    """out/docs/runbooks/<Alert>.md for every alert, and an index."""
    template = JINJA.get_template("runbook.md.j2")
    files: dict[str, Any] = {}
    for alert in project.alerts.values():
        policy = project.escalation_of(alert)
        files[conventions.runbook_page(alert.name)] = template.render(
            alert=alert,
            rule=alert_rule(project, alert),
            channels=told_channels(project, alert),
            policy=policy,
            levels=notified_levels(project, alert),
            evaluator="Prometheus", dashboard=panel_url(project, alert) if alert.dashboard else "",
            ack=" ".join(_ack_matchers(project, alert)), alertmanager=ack_alertmanager(project),
            source=project.relative(alert.location).file, faster=_faster(project),
        )
    index = ["# Runbooks", "", "| alert | evaluated by | severity | plan name |", "|---|---|---|---|"]
    index += [f"| [{a.name}]({a.name}.md) | Prometheus | {a.severity} | {a.plan_name or '-'} |"
              for a in project.alerts.values()]
    index += [f"| [{a.name}]({a.name}.md) | Loki ruler | {a.severity} | - |" for a in project.all(LogAlert)]
    files[conventions.runbook_page("README")] = "\n".join(index) + "\n"
    return files
