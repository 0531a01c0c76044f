"""The shipped runbooks as the person paged at 3 a.m. reads them (out/docs/runbooks/<Alert>.md, "What to do"): each
command or query they give (a `code span`) works from where that person is, or says where it runs.

- A query is PromQL that parses and reads series the project has: pasted into Prometheus, it answers.
- A command run on the alert's host (top, du, ps...) comes with that host: `<instance>` is node-exporter's address
  as Prometheus scrapes it, and the runbook says which machine that is and that the command runs there.
- No command fetches a label's address (`curl http://<instance>/metrics`): `instance` is where Prometheus reaches
  the target, inside the compose network or the cluster (https through kube-rbac-proxy for node-exporter there), not
  an address the reader's shell reaches; Prometheus itself answers the question (a query), wherever the reader is.
"""

from __future__ import annotations

import re

from generator.core import logql
from generator.core.gotemplate import readable
from generator.core.promql import PromQLError, metric_names
from generator.model import LogAlert, Metric, RecordingRule
from generator.model.project import Project

CODE_SPAN = re.compile(r"`([^`]+)`")
HOST_COMMANDS = frozenset({"top", "htop", "du", "df", "ps", "free", "iotop", "lsof", "journalctl", "systemctl",
                           "kill", "ncdu"})
"""Commands that only mean something on the machine they run on."""
SHELL_COMMANDS = HOST_COMMANDS | {"ssh", "curl", "wget", "kubectl", "docker", "obsgen", "amtool", "promtool"}
LABEL_ADDRESS = re.compile(r"\w+://(<\w+>|\$labels)")
"""A URL whose host is a label's value, as the runbook page writes it (`http://<instance>/...`)."""
ON_HOST = re.compile(r"\bon (the|that|its) host\b", re.IGNORECASE)
"""Where a host command runs, said in so many words."""
PLACEHOLDER = re.compile(r"<\w+>")
"""A label's value named alone (`<instance>`), no query."""


def _runbooks(project: Project) -> dict[str, str]:
    return {alert.name: alert.runbook for alert in (*project.alerts.values(), *project.all(LogAlert))}


def _spans(runbook: str) -> list[str]:
    return CODE_SPAN.findall(readable(runbook))


def _known_series(project: Project) -> set[str]:
    """Every series name the project declares, records or reads in a rule: what its Prometheus holds."""
    known = {metric.name for metric in project.all(Metric)} | {rule.name for rule in project.all(RecordingRule)}
    for rule in project.all(RecordingRule):
        known |= metric_names(rule.expr)
    for alert in project.alerts.values():
        known |= metric_names(alert.condition)
    return known


def test_no_runbook_command_fetches_a_labels_address(project: Project) -> None:
    bad = {name: span for name, runbook in _runbooks(project).items()
           for span in _spans(runbook) if LABEL_ADDRESS.search(span)}
    assert not bad, f"runbook commands fetch the scrape address, which the reader cannot reach: {bad}"


def test_target_down_gives_the_query_listing_the_targets_down(project: Project) -> None:
    """TargetDown counts by job alone: its runbook names the instances, as Prometheus answers them."""
    assert 'up{job="<job>"} == 0' in _spans(project.alerts["TargetDown"].runbook)


def test_a_host_command_says_which_host(project: Project) -> None:
    bad = {}
    for name, runbook in _runbooks(project).items():
        commands = [span for span in _spans(runbook) if span.split()[0] in HOST_COMMANDS]
        if commands and not ("{{ $labels.instance }}" in runbook and ON_HOST.search(runbook)):
            bad[name] = commands
    assert not bad, f"runbooks give commands to run on a host without saying which host, or that it runs there: {bad}"


def test_runbook_queries_parse_and_read_the_projects_series(project: Project) -> None:
    known = _known_series(project)
    log_alerts = {alert.name for alert in project.all(LogAlert)}
    bad = {}
    for name, runbook in _runbooks(project).items():
        for span in _spans(runbook):
            if span.split()[0] in SHELL_COMMANDS or span.startswith(("/", "-")) or PLACEHOLDER.fullmatch(span):
                continue
            if name in log_alerts:  # LogQL: the test below
                continue
            try:
                unknown = metric_names(span) - known
            except PromQLError as error:
                bad[f"{name}: {span}"] = str(error)
                continue
            if unknown:
                bad[f"{name}: {span}"] = f"reads {sorted(unknown)}, which the project has not"
    assert not bad, bad


def test_log_alerts_runbooks_give_the_logql_of_the_lines_they_count(project: Project) -> None:
    """A log alert's runbook gives the lines to read as LogQL that parses, selecting the streams its rule counts."""
    bad = {}
    for alert in project.all(LogAlert):
        queries = [span for span in _spans(alert.runbook) if span.startswith("{")]
        for query in queries:
            try:
                labels = logql.parse(query).labels
            except logql.LogQLError as error:
                bad[alert.name] = f"{query}: {error}"
                continue
            counted = logql.parse(alert.expr).labels
            if labels != counted:
                bad[alert.name] = f"{query} selects on {sorted(labels)}, its rule on {sorted(counted)}"
        if not queries:
            bad[alert.name] = "no LogQL"
    assert not bad, bad


VALUE_ACTION = re.compile(r"\{\{([^{}]*\$value[^{}]*)\}\}(%?)")
"""An action printing the alert's value, and the % written right after it."""


def test_each_printed_value_reads_in_its_unit(project: Project) -> None:
    """A guard (main had no such defect at stop 55): where a summary or description prints $value, a 0..1 ratio
    (its firing examples' values) reads as a percentage through humanizePercentage, and a value printed with a % after
    it is already a percentage, so that 0.93 never reads "0.9%" or "0.93" where on-call reads a share."""
    bad = []
    for alert in project.alerts.values():
        values = [example.value for example in alert.examples if example.fires and example.value is not None]
        for body, percent in VALUE_ACTION.findall(f"{alert.summary} {alert.description}"):
            ratio = "humanizePercentage" in body
            if ratio and any(value > 1 for value in values):
                bad.append(f"{alert.name}: {{{{{body}}}}} of values {values}, not a 0..1 ratio")
            if percent and not ratio and any(values) and all(0 <= value < 1 for value in values):
                bad.append(f"{alert.name}: {{{{{body}}}}}% of a 0..1 ratio {values}: humanizePercentage")
    assert not bad, bad
