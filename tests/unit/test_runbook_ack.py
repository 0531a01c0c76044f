"""A runbook's `obsgen ack` command silences what its alert's notifications' command silences: the labels the alert's
notifications are grouped by, the stack's external labels among them (with two stacks sharing an Alertmanager, a
command without them would silence the other stack's alert too). Compared with the command amtool renders from the
generated notification templates, for a stack whose external labels include one the shell must quote."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.core.matcher_text import ack_argument
from generator.derive import notification_grouping
from generator.derive.examples import expression_labels
from generator.model import LogAlert, conventions
from generator.model.project import Project
from generator.targets import alertmanager, docs, loki
from generator.targets.prometheus import alert_rule

URL = "http://alertmanager.example:9093"
STACKS = {"platform": "ecommerce-rag", "region": "eu west's"}
"""Two external labels, one whose value holds a space and a quote."""
VALUES = ["eu-west-1", "eu west's", 'a"b\\c', "line\nbreak", "tab\there", "nul\x00us", "ls\u2028ps", "日本"]
"""Values a runbook prints as the notifications do: plain, quoted, escaped, written by the shell, matched by regex."""
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
ALERTS = ["CpuHigh", "ApiLatencyBudgetBurn1h", "ApiLatencySLIAbsent"]
"""Grouped by a label of the expression's result; by one the rule sets (service); with the job's other SLIAbsent
pages, by job and sli."""


@pytest.fixture(scope="module")
def two_labelled(project: Project) -> Project:
    """The shipped project, its stack with STACKS as external labels and its Alertmanager at URL."""
    stack = project.stack.model_copy(update={"external_labels": STACKS, "alertmanager_url": URL})
    return dataclasses.replace(project, stack=stack)


def _runbook_words(project: Project, name: str) -> list[str]:
    """The words of the runbook's command past `obsgen ack` and before --for, each <label> filled from the alert's
    first firing example, as a shell splits them."""
    page = docs.render(project)[conventions.runbook_page(name)]
    line, = re.findall(rf"^obsgen ack {name} .*$", page, re.MULTILINE)
    alert = project.alerts[name]
    example = next(example for example in alert.examples if example.fires)
    labels = expression_labels(alert, example)
    filled = re.sub(r"<([a-zA-Z_][a-zA-Z0-9_]*)>", lambda placeholder: labels[placeholder[1]], line)
    return shlex.split(filled.split(" --for ")[0])[2:]


def _amtool(project: Project, workdir: Path, text: str, labels: dict[str, str], grouped: dict[str, str],
            external: str = URL) -> str:
    """What amtool renders of the text from the generated notification templates, for one firing alert."""
    template = workdir / "obsgen.tmpl"
    template.write_text(alertmanager.render(project)[conventions.alertmanager_template()])
    data = workdir / "data.json"
    data.write_text(json.dumps({
        "receiver": "oncall", "status": "firing", "groupLabels": grouped, "commonLabels": labels,
        "commonAnnotations": {}, "externalURL": external,
        "alerts": [{"status": "firing", "labels": labels, "annotations": {}, "startsAt": "2024-01-01T00:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "1"}]}))
    shown = subprocess.run(["amtool", "template", "render", f"--template.glob={template}", f"--template.data={data}",
                            f"--template.text={text}"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def _notification_words(project: Project, name: str, workdir: Path) -> list[str]:
    """The words of the notification's command past `obsgen ack` and before --alertmanager-url, rendered by amtool
    for the alert as Prometheus sends it: its result's labels, the rule's, then the stack's external labels it
    lacks (notifier.go), grouped as its route groups it."""
    alert = project.alerts[name]
    example = next(example for example in alert.examples if example.fires)
    labels = {"alertname": name, **expression_labels(alert, example), **alert_rule(project, alert)["labels"]}
    labels = {**project.stack.external_labels, **labels}
    assert not any("{{" in value for value in labels.values()), labels
    grouping = notification_grouping.alert_grouping(project, alert)
    grouped = {label: labels[label] for label in grouping if label in labels}
    shown = _amtool(project, workdir, '{{ template "obsgen.ack.command" . }}', labels, grouped)
    words = shlex.split(shown)
    assert words[:3] == ["obsgen", "ack", name], words
    return words[2:]


@needs_amtool
@pytest.mark.parametrize("value", VALUES)
def test_a_label_is_printed_as_the_notifications_print_it(project: Project, value: str, tmp_path: Path) -> None:
    labels = {"alertname": "CpuHigh", "region": value}
    printed = _amtool(project, tmp_path, '{{ range .GroupLabels.SortedPairs }}{{ if eq .Name "region" }}'
                                         '{{ template "obsgen.ack.argument" . }}{{ end }}{{ end }}', labels, labels)
    assert ack_argument("region", value) == printed


@needs_amtool
@pytest.mark.parametrize("name", ALERTS)
def test_the_runbook_command_names_the_labels_the_notification_command_names(two_labelled: Project, name: str,
                                                                            tmp_path: Path) -> None:
    runbook, notification = _runbook_words(two_labelled, name), _notification_words(two_labelled, name, tmp_path)
    assert "platform=ecommerce-rag" in runbook and "region=\"eu west's\"" in runbook
    assert runbook[-2:] == notification[-2:] == ["--alertmanager-url", URL]
    assert sorted(runbook[:-2]) == sorted(notification[:-2])


def test_the_shipped_runbook_acknowledges_this_stack_s_alert_only(project: Project) -> None:
    page = docs.render(project)[conventions.runbook_page("CpuHigh")]
    assert ("obsgen ack CpuHigh instance=<instance> platform=ecommerce-rag --alertmanager-url http://localhost:9093 "
            "--for 2h") in page
    assert ("amtool silence add --alertmanager.url=http://localhost:9093 --duration=2h "
            '--comment="looking into it" alertname=CpuHigh instance=<instance> platform=ecommerce-rag\n') in page


LOG_ALERT, LOG_RESULT = "RagEngineTimeouts", {"service_name": "rag-engine"}
"""A log alert with an escalation (its runbook's Acknowledge section), and its LogQL's result (sum by service_name)."""


@needs_amtool
def test_a_log_alerts_runbook_command_names_the_labels_its_notification_command_names(two_labelled: Project,
                                                                                     tmp_path: Path) -> None:
    """Loki's ruler sends the alert with the rule's labels, its result's, then the stack's external labels it lacks
    (ruler.external_labels, through Prometheus' notifier): the runbook's command must silence that alert alone."""
    page = loki.runbooks(two_labelled)[conventions.runbook_page(LOG_ALERT)]
    line, = re.findall(rf"^obsgen ack {LOG_ALERT} .*$", page, re.MULTILINE)
    filled = re.sub(r"<([a-zA-Z_][a-zA-Z0-9_]*)>", lambda placeholder: LOG_RESULT[placeholder[1]], line)
    runbook = shlex.split(filled.split(" --for ")[0])[2:]
    alert = next(alert for alert in two_labelled.all(LogAlert) if alert.name == LOG_ALERT)
    labels = {**STACKS, "alertname": LOG_ALERT, **LOG_RESULT, **loki.alert_rule(two_labelled, alert)["labels"]}
    grouped = {label: labels[label] for label in notification_grouping.grouping(two_labelled) if label in labels}
    words = shlex.split(_amtool(two_labelled, tmp_path, '{{ template "obsgen.ack.command" . }}', labels, grouped))
    assert words[:3] == ["obsgen", "ack", LOG_ALERT] and words[-2:] == ["--alertmanager-url", URL], words
    assert "platform=ecommerce-rag" in runbook and "service_name=rag-engine" in runbook
    assert runbook[-2:] == words[-2:] and sorted(runbook[:-2]) == sorted(words[2:-2])


@needs_amtool
@pytest.mark.parametrize("url", ["http://alertmanager.example:9093/", "https://ops.example/am$(id);it's//"])
def test_the_runbook_names_the_alertmanager_as_the_notification_does(project: Project, url: str,
                                                                    tmp_path: Path) -> None:
    """Alertmanager's .ExternalURL is its --web.external-url (the stack's alertmanager_url) with the path's trailing
    slashes dropped (cmd/alertmanager extURL; Go's URL keeps $ ( ) ; ' in a path as written); the runbook prints it
    as the notification's command does, one shell word running nothing."""
    stack = project.stack.model_copy(update={"alertmanager_url": url})
    page = docs.render(dataclasses.replace(project, stack=stack))[conventions.runbook_page("CpuHigh")]
    line, = re.findall(r"^obsgen ack CpuHigh .*$", page, re.MULTILINE)
    external = url.rstrip("/")
    printed = _amtool(project, tmp_path, '{{ template "obsgen.shell.word" .ExternalURL }}', {}, {}, external)
    assert f" --alertmanager-url {printed} --for 2h " in line
    words = shlex.split(line)
    assert words[words.index("--alertmanager-url") + 1] == external
