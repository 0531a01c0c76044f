"""How an alert's notifications are grouped, and what its `obsgen ack` command names to acknowledge its group, and
where: the Alertmanager routes group by these labels (targets/alertmanager.py) and the runbooks of metric and log
alerts print the command (targets/docs.py, targets/loki.py)."""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.matcher_text import ack_argument, shell_word
from generator.model import Alert
from generator.model.conventions import JOB_LABEL, SLI_LABEL, pages_by_job
from generator.model.project import Project


def grouping(project: Project) -> list[str]:
    """The root route's group_by: the definitions' grouping, then each external label of the stack it lacks. Every
    alert a Prometheus sends carries its external labels, so they are constant within one stack and change no group
    of it; with several stacks sharing one Alertmanager (each Prometheus its own `platform`), the same alert of two
    stacks is two groups: two notifications, each acknowledged (silenced) alone, as the inhibit rules' `equal`
    already keeps them apart."""
    declared = list(project.alerting.group_by)
    return declared + [label for label in sorted(project.stack.external_labels) if label not in declared]


def job_grouping(project: Project) -> list[str]:
    """What SLIAbsent pages are grouped by: their job and sli, and the stack."""
    stacks = [label for label in sorted(project.stack.external_labels) if label not in (JOB_LABEL, SLI_LABEL)]
    return [JOB_LABEL, SLI_LABEL, *stacks]


def alert_grouping(project: Project, alert: Alert) -> list[str]:
    """The labels the alert's notifications are grouped by (an escalation level's add the level): a job's SLIAbsent
    page's, as every page of the job (a heartbeat's route is the alert's own); any other alert's, the root's."""
    return job_grouping(project) if pages_by_job(alert.labels) and alert.heartbeat is None else grouping(project)


def ack_matchers(project: Project, labels: dict[str, str], grouping: list[str], carried: Iterable[str]) -> list[str]:
    """The labels an alert's notifications are grouped by, as their `obsgen ack` command prints them: a label the
    rule sets (`labels`) with its value, one of the expression's result (`carried`) as <name>, and each external
    label of the stack with its value, which Prometheus, and Loki's ruler through Prometheus' notifier, give every
    alert they send that lacks the label (notifier.go): the command acknowledges this stack's alert, not another
    stack's sharing the Alertmanager."""
    carried = frozenset(carried)
    matchers = []
    for name in grouping:
        value = labels.get(name, None if name in carried else project.stack.external_labels.get(name))
        if value is not None and "{{" not in value:
            matchers.append(ack_argument(name, value))
        elif value is not None or name in carried:
            matchers.append(f"{name}=<{name}>")
    return matchers


def ack_alertmanager(project: Project) -> str:
    """The Alertmanager the command talks to (--alertmanager-url), as one shell word: the one its notifications'
    command names (obsgen.ack.command prints .ExternalURL, Alertmanager's --web.external-url, which is the stack's
    alertmanager_url in stacks/docker-compose.yml and out/kubernetes/), so that a runbook's command, pasted anywhere,
    acknowledges the alert where its notification's would."""
    return shell_word(project.stack.alertmanager_external_url)
