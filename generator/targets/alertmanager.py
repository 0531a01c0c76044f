"""Alertmanager: routes per heartbeat, escalation level, alert override and severity; receivers; inhibition."""

from __future__ import annotations

import json
from typing import Any

from generator.core.matcher_text import (
    JSON_CONTROL_PATTERNS,
    LINE_FEED_PATTERNS,
    PLAIN_VALUE,
    REGEX_SPECIAL,
    SHELL_PATTERNS,
    SHELL_PLAIN,
    filtered,
)
from generator.derive.escalation import climb, opens_incident, pages
from generator.derive.notification_grouping import grouping, job_grouping
from generator.derive.slo.inhibitions import inhibitions
from generator.derive.slo.target_down import pairings
from generator.model import SLO, Alert, Inhibition, conventions
from generator.model.conventions import (
    ESCALATION_LEVEL_LABEL,
    ESCALATION_POLICY_LABEL,
    JOB_LABEL,
    SEVERITY_LABEL,
    SLI_ABSENT,
    SLI_LABEL,
    pages_by_job,
)
from generator.model.identity import receiver_name
from generator.model.logs import SERVICE_LABEL
from generator.model.notify import heartbeat_timing, route_timing
from generator.model.project import Project
from generator.targets.dashboard_range import template_values as dashboard_range_values
from generator.targets.receivers import LISTED_ALERTS, LISTED_NAMES, receiver
from generator.targets.templating import environment

# Go templates own {{ }} (and [[ ]] may appear in their text); jinja2 uses << >> and <% %> here.
_JINJA = environment(variable_start_string="<<", variable_end_string=">>", block_start_string="<%",
                     block_end_string="%>")


def go_string(text: str) -> str:
    """A Go string literal of the text (JSON's escapes are Go's; non-ASCII stays as it is, since Go has no
    surrogate escapes)."""
    return json.dumps(text, ensure_ascii=False)


# What a definition says (the stack's name and URLs, a severity's name) is text, not template: written as a string
# literal's action, a {{ in it is not Alertmanager's to run, and html/template escapes it in an email's HTML.
_JINJA.filters["go_string"] = go_string
_JINJA.filters["go_text"] = lambda text: f"{{{{ {go_string(text)} }}}}"
_JINJA.filters["go_comment"] = lambda text: text.replace("*/", "* /")
ESCALATION_GROUP_BY = ESCALATION_LEVEL_LABEL
"""Each level's notifications are a group of their own, whose common labels say the level."""


def _timed(route: dict[str, Any], timing: tuple[str, str, str]) -> dict[str, Any]:
    """The route with its timing, before its child routes."""
    wait, interval, repeat = timing
    children = {"routes": route.pop("routes")} if "routes" in route else {}
    return {**route, "group_wait": wait, "group_interval": interval, "repeat_interval": repeat, **children}


def routes(project: Project) -> list[dict[str, Any]]:
    """Child routes, most specific first: heartbeats, escalation levels, alert overrides, then severities."""
    alerting = project.alerting
    result: list[dict[str, Any]] = []
    for alert in project.alerts.values():
        if alert.heartbeat is not None:
            result += _heartbeat_routes(project, alert, alert.heartbeat)
    for policy in project.escalation_policies.values():
        # each level as an alert that paged tells it (its PagerDuty incident open), then as any other alert does
        for paged, level in zip(climb(project, policy, True), climb(project, policy, False), strict=True):
            at_level = [f'{ESCALATION_POLICY_LABEL}="{policy.name}"', f'{ESCALATION_LEVEL_LABEL}="{level.level}"']
            group_by = {"group_by": [*grouping(project), ESCALATION_GROUP_BY]}
            by_job = _absent_by_job(project, policy=policy.name, level=True)
            if paged.channels != level.channels:
                result += [_timed({"receiver": receiver_name(paged.channels), "matchers": [*at_level, *matchers],
                                   **group_by, **({} if matchers[0].startswith("alertname=") else by_job)},
                                  route_timing(policy))
                           for matchers in _paging_alerts(project)]
            result.append(_timed({"receiver": receiver_name(level.channels), "matchers": at_level, **group_by,
                                  **by_job}, route_timing(policy)))
    joining: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # (severity, own channels) -> absent pages by job
    for alert in project.alerts.values():
        severity = project.severity_of(alert)
        channels = project.alert_channels(alert)
        if channels != severity.channels and alert.heartbeat is None:
            if pages_by_job(alert.labels):
                joining.setdefault((alert.severity, project.own_channels(alert)), []).append(alert.name)
                continue
            result.append(_timed({
                "receiver": receiver_name(channels),
                "matchers": [f'alertname="{alert.name}"', f'{SEVERITY_LABEL}="{alert.severity}"'],
            }, route_timing(severity)))
    for (name, own), names in joining.items():
        severity = next(declared for declared in alerting.severities if declared.name == name)
        result.append(_timed({
            "receiver": receiver_name(own), "matchers": [_alertnames(names), f'{SEVERITY_LABEL}="{name}"'],
            "continue": True, **_job_child(project),
        }, route_timing(severity)))
    for severity in alerting.severities:
        result.append(_timed({
            "receiver": receiver_name(severity.channels),
            "matchers": [f'{SEVERITY_LABEL}="{severity.name}"'],
            **_absent_by_job(project, severity=severity.name),
        }, route_timing(severity)))
    return result


def _heartbeat_routes(project: Project, alert: Alert, heartbeat: str) -> list[dict[str, Any]]:
    """A dead man's switch's own route, for this stack's alert alone: it matches the stack's external labels, which
    Prometheus' notifier adds to every alert that lacks them. Two stacks sharing one Alertmanager both send their
    Watchdog to it, and one ping URL fed by both would keep quiet when one stack's Prometheus dies. Any other stack's
    alert of that name stops on the next route, which tells nobody ('null'): this config has no heartbeat URL for
    that stack, and on through the severity or escalation routes it would notify people every few minutes. With no
    external labels there is nothing to tell the stacks apart by: the one route takes every alert of that name."""
    sent = {**project.stack.external_labels, **alert.labels}  # an alert's own label keeps its value
    home = [f'{name}="{filtered(sent[name])}"' for name in sorted(project.stack.external_labels)
            if "{{" not in sent[name]]  # a templated value is known only once the alert fires
    name = f'alertname="{alert.name}"'
    own = _timed({"receiver": receiver_name(project.alert_channels(alert)), "matchers": [name, *home]},
                 heartbeat_timing(heartbeat))
    return [own, {"receiver": "null", "matchers": [name]}] if home else [own]


def _alertnames(names: list[str]) -> str:
    """A matcher of these alert names (CamelCase identifiers: nothing in them is special to a regular expression)."""
    return f'alertname="{names[0]}"' if len(names) == 1 else f'alertname=~"{"|".join(names)}"'


def _absent_by_job(project: Project, severity: str = "", policy: str = "", level: bool = False) -> dict[str, Any]:
    """A route's child grouping the SLIAbsent alerts it receives by their job (sli="absent" and a job): when a job
    dies, every SLO it feeds pages, and one notification lists them all, one PagerDuty incident (its dedup_key is
    the group key's hash), one escalation ladder. The child inherits its parent's receiver and timing (Alertmanager's
    routes inherit every setting they do not set), so the alerts reach whom they reached alone. None when no alert
    of the severity (or climbing the policy) is such a page. A page with channels of its own reaches them on a route
    of its own (continue: true, grouped by job too) and then its severity's, where it joins the job's other pages."""
    def grouped(alert: Alert) -> bool:
        escalation = project.escalation_of(alert)
        return pages_by_job(alert.labels) and (alert.severity == severity if severity else
                                        escalation is not None and escalation.name == policy)
    if not any(grouped(alert) for alert in project.alerts.values()):
        return {}
    return _job_child(project, level)


def _job_child(project: Project, level: bool = False) -> dict[str, Any]:
    """The child route grouping SLIAbsent pages by job and sli (and the stack, and the level on a level's route)."""
    labels = [*job_grouping(project), *([ESCALATION_GROUP_BY] if level else [])]
    return {"routes": [{"matchers": [f'{SLI_LABEL}="{SLI_ABSENT}"', f'{JOB_LABEL}=~".+"'], "group_by": labels}]}


def _paging_alerts(project: Project) -> list[list[str]]:
    """Matchers of the alerts whose own channels reach PagerDuty: a level's PagerDuty would open a second incident
    for them, since Alertmanager's dedup_key is its group key's hash, which differs per route and cannot be set
    (prometheus/alertmanager#298, #1837); PagerDuty's own escalation climbs the incident they opened."""
    by_severity = [[f'{SEVERITY_LABEL}="{severity.name}"'] for severity in project.alerting.severities
                   if pages(project, severity.channels)]
    overrides = [[f'alertname="{alert.name}"', f'{SEVERITY_LABEL}="{alert.severity}"']
                 for alert in project.alerts.values()
                 if opens_incident(project, alert) and not pages(project, project.severity_of(alert).channels)]
    return by_severity + overrides


def inhibit_rules(project: Project) -> list[dict[str, Any]]:
    """A higher severity mutes every lower one of the same alert on the same instance; an SLO's shortest burn window
    firing mutes its longer ones and its tickets (derive/slo/inhibitions.py); an SLO's absent page mutes TargetDown
    of the jobs its inputs come from (derive/slo/target_down.py); each declared Inhibition (a cause muting its
    consequences) last.

    Escalation copies keep their alert's name and severity, so a copy mutes nothing its alert does not.
    """
    names = [s.name for s in project.alerting.severities]
    by_severity = [
        {
            "source_matchers": [f'{SEVERITY_LABEL}="{higher}"'],
            "target_matchers": [f'{SEVERITY_LABEL}=~"{"|".join(names[:rank])}"'],
            "equal": ["alertname", "instance"],
        }
        for rank, higher in enumerate(names)
        if rank > 0
    ]
    declared = [inhibition.rule() for inhibition in project.all(Inhibition)]
    slos = [rule for slo in project.all(SLO) for rule in inhibitions(slo)]
    return by_severity + slos + pairings(project) + declared


def config(project: Project) -> dict[str, Any]:
    """alertmanager.yml."""
    child_routes = routes(project)
    receivers: dict[str, dict[str, Any]] = {"null": {"name": "null"}}
    for route in child_routes:
        name = route["receiver"]
        if name not in receivers:
            receivers[name] = receiver(project, tuple(name.split("-")) if name != "null" else ())
    document: dict[str, Any] = {"global": {"resolve_timeout": "5m"}}
    smtp = project.alerting.smtp
    profile = project.profile
    if profile is not None and profile.smtp_smarthost:
        document["global"] |= {"smtp_smarthost": profile.smtp_smarthost, "smtp_require_tls": False,
                               "smtp_from": smtp.sender if smtp else "obsgen@localhost"}
    elif smtp is not None:
        document["global"] |= {"smtp_smarthost": smtp.smarthost, "smtp_from": smtp.sender,
                               "smtp_require_tls": smtp.require_tls}
        if smtp.auth_username:
            document["global"]["smtp_auth_username"] = smtp.auth_username
        if smtp.auth_password_file:
            document["global"]["smtp_auth_password_file"] = smtp.auth_password_file
    document["templates"] = [conventions.alertmanager_template().removeprefix("alertmanager/")]
    document["route"] = {
        "receiver": "null",
        "group_by": grouping(project),
        "group_wait": "10s",
        "group_interval": "1m",
        "repeat_interval": "4h",
        "routes": child_routes,
    }
    document["inhibit_rules"] = inhibit_rules(project)
    document["receivers"] = list(receivers.values())
    return document


def render(project: Project) -> dict[str, Any]:
    """alertmanager.yml and its notification templates."""
    severities = project.alerting.severities
    profiled = project.profile is not None and project.profile.alertmanager_version
    template = _JINJA.get_template(f"{conventions.ALERTMANAGER_TEMPLATE}.j2").render(
        stack=project.stack, severities=[s.name for s in severities],
        version_set_in="the build profile's alertmanager_version" if profiled else "Stack.alertmanager_version",
        pagerduty={s.name: s.pagerduty for s in severities if s.pagerduty is not None},
        grouping=[label for label in project.alerting.group_by if label != "alertname"],
        home=sorted(project.stack.external_labels.items()),
        level_label=ESCALATION_LEVEL_LABEL, policy_label=ESCALATION_POLICY_LABEL, listed=LISTED_ALERTS,
        listed_names=LISTED_NAMES, **dashboard_range_values(project),
        page_separator=conventions.PAGE_SUMMARY_SEPARATOR, service_label=SERVICE_LABEL,
        json_escapes=JSON_CONTROL_PATTERNS, line_feed_escapes=LINE_FEED_PATTERNS,
        shell_escapes=SHELL_PATTERNS, regex_special=REGEX_SPECIAL, shell_plain=SHELL_PLAIN, plain_value=PLAIN_VALUE,
    )
    return {conventions.ALERTMANAGER_CONFIG: config(project), conventions.alertmanager_template(): template}
