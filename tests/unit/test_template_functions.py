"""The template syntax checker knows the functions each consumer defines, as the installed binaries do: promtool
(Prometheus' rule templates) and amtool (Alertmanager's notification templates) accept or refuse a template calling
each function alike, urlQueryEscape (Prometheus 3.x, not 2.42) and humanize (not Alertmanager's) among them."""

from __future__ import annotations

import dataclasses
import html
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.core.gotemplate_syntax import (
    ALERTMANAGER,
    ALERTMANAGER_FUNCTIONS,
    GO_FUNCTIONS,
    PROMETHEUS,
    PROMETHEUS_FUNCTIONS,
    Consumer,
    TemplateSyntaxError,
    check,
)
from generator.model import conventions
from generator.model.project import Project
from generator.model.templates import notification_template
from generator.targets import alertmanager

NEWER = ("urlQueryEscape", "toDuration", "now", "trimSpace", "date", "tz", "since", "toJson", "urlUnescape",
         "safeUrl", "isNaN")
"""Functions of later Prometheus or Alertmanager releases, or of neither."""
NAMES = sorted(PROMETHEUS_FUNCTIONS | ALERTMANAGER_FUNCTIONS | {"urlquery", "printf", "len", *NEWER})
needs_binaries = pytest.mark.skipif(shutil.which("promtool") is None or shutil.which("amtool") is None,
                                    reason="promtool or amtool not installed (make test installs them)")


def _calling(function: str) -> str:
    """A template calling the function where it never runs: only whether it parses is asked."""
    return f"{{{{ if false }}}}{{{{ {function} }}}}{{{{ end }}}}"


def _checker_accepts(template: str, consumer: Consumer) -> bool:
    try:
        check(template, consumer)
    except TemplateSyntaxError:
        return False
    return True


def _promtool_accepts(template: str, workdir: Path) -> bool:
    rules = workdir / "rules.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "A", "expr": "vector(1)", "annotations": {"summary": template}}]}]}))
    shown = subprocess.run(["promtool", "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 or "not defined" in shown.stdout + shown.stderr, shown.stdout + shown.stderr
    return shown.returncode == 0


def _amtool_accepts(template: str, workdir: Path) -> bool:
    (workdir / "notifications.tmpl").write_text(f'{{{{ define "t" }}}}{template}{{{{ end }}}}\n')
    config = workdir / "alertmanager.yml"
    config.write_text(yaml.safe_dump({"route": {"receiver": "null"}, "receivers": [{"name": "null"}],
                                      "templates": [str(workdir / "notifications.tmpl")]}))
    shown = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 or "not defined" in shown.stdout + shown.stderr, shown.stdout + shown.stderr
    return shown.returncode == 0


@needs_binaries
def test_each_consumer_defines_the_functions_its_binary_defines(tmp_path: Path) -> None:
    differing = []
    for function in NAMES:
        template = _calling(function)
        prometheus, notifications = (_checker_accepts(template, PROMETHEUS), _checker_accepts(template, ALERTMANAGER))
        if prometheus != _promtool_accepts(template, tmp_path):
            differing.append(f"{function}: checker {'accepts' if prometheus else 'refuses'}, promtool does not")
        if notifications != _amtool_accepts(template, tmp_path):
            differing.append(f"{function}: checker {'accepts' if notifications else 'refuses'}, amtool does not")
    assert not differing, differing
    assert not _checker_accepts(_calling("urlQueryEscape"), PROMETHEUS)
    assert not _checker_accepts(_calling("humanize"), ALERTMANAGER) and _checker_accepts(_calling("join"), ALERTMANAGER)


def test_a_refused_function_is_named_with_what_the_consumer_has() -> None:
    with pytest.raises(TemplateSyntaxError, match=r"'urlQueryEscape' not defined \(Prometheus' are: args, "):
        check('{{ $labels.x | urlQueryEscape }}')
    with pytest.raises(TemplateSyntaxError, match=r"'humanize' not defined \(Alertmanager's are: join, match, "):
        check("{{ humanize 3 }}", ALERTMANAGER)
    assert not GO_FUNCTIONS & {"humanize", "join", "urlQueryEscape"}


def test_the_generated_notification_templates_load_in_alertmanager(project: Project) -> None:
    check(alertmanager.render(project)[conventions.alertmanager_template()], ALERTMANAGER)


RECEIVER_FIELDS = ("#alerts-{{ .CommonLabels.team | toLower }}", "{{.CommonLabels.team}}@example.com",
                   "#alerts-{{ .CommonLabels.team | humanizeDuration }}", "{{humanize}}@example.com",
                   "#{{ .CommonLabels.team | urlquery }}", "#{{ .CommonLabels.team | trimSpace }}", "#{{ .Unclosed")
"""Texts a definition may give a receiver's templated fields (an email's `to`, a Slack `channel`)."""


@needs_binaries
@pytest.mark.parametrize("text", RECEIVER_FIELDS)
def test_a_receivers_field_is_refused_as_alertmanager_would_fail_to_send_it(text: str, tmp_path: Path) -> None:
    """Alertmanager parses a receiver's fields only when it notifies: amtool check-config passes a config whose Slack
    channel calls a function Alertmanager lacks, and rendering that text (as a notification does) fails. The
    definitions' validation refuses exactly what rendering refuses."""
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump({"route": {"receiver": "team"}, "receivers": [{"name": "team", "slack_configs": [
        {"api_url": "http://slack.example/hook", "channel": text}]}]}))
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (tmp_path / "empty.tmpl").write_text("")
    rendered = subprocess.run(["amtool", "template", "render", f"--template.glob={tmp_path / 'empty.tmpl'}",
                               f"--template.text={text}"], capture_output=True, text=True, timeout=60)
    try:
        notification_template(text)
    except ValueError as error:
        assert rendered.returncode != 0, f"amtool renders {text!r}, obsgen refuses it: {error}"
    else:
        assert rendered.returncode == 0, f"obsgen accepts {text!r}, amtool says {rendered.stderr}"


@needs_binaries
def test_what_definitions_say_is_text_in_the_notification_templates(project: Project, tmp_path: Path) -> None:
    """The stack's name and URLs and a severity's name reach Alertmanager's template as text: a {{ in them is not
    run, a */ does not end a comment, a quote does not end a string, and an email's HTML escapes them."""
    name, url = 'shop {{ humanize 1 }} */ <b>&"x"\\', 'https://grafana.example/?q={{ .x }}&a="<b>"'
    odd = project.alerting.severities[0].model_copy(update={"name": 'odd"{{ */', "pagerduty_severity": "error"})
    severities = (*project.alerting.severities, odd)
    hostile = dataclasses.replace(project, stack=project.stack.model_copy(update={"name": name, "grafana_url": url}),
                                  alerting=project.alerting.model_copy(update={"severities": severities}))
    template = tmp_path / "obsgen.tmpl"
    template.write_text(alertmanager.render(hostile)[conventions.alertmanager_template()])
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump({"route": {"receiver": "null"}, "receivers": [{"name": "null"}],
                                      "templates": [str(template)]}))
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    def render(text: str, kind: str = "text") -> str:
        shown = subprocess.run(["amtool", "template", "render", f"--template.glob={template}",
                                f"--template.text={text}", f"--template.type={kind}"],
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    assert render('{{ template "obsgen.email.subject" . }}').startswith(f"[{name}] ")
    email = render('{{ template "obsgen.email.html" . }}', "html")
    assert f"Sent by Alertmanager for {name} (" in html.unescape(email) and "<b>" not in email
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"alerts": [{"status": "firing", "labels": {"severity": odd.name}}]}))
    shown = subprocess.run(["amtool", "template", "render", f"--template.glob={template}", f"--template.data={data}",
                            '--template.text={{ template "obsgen.pagerduty.severity" . }}'],
                           capture_output=True, text=True, timeout=60)
    assert shown.stdout == "error", shown.stderr
