"""A runbook's acknowledgement works when pasted: each shipped runbook's `obsgen ack` and `amtool silence add` line,
run by a shell with no $ALERTMANAGER_URL (a reader outside `obsgen up`), silences its alert on the Alertmanager the
stack declares, and not the same alert of another stack sharing it.

The runbooks print the stack's alertmanager_url, so they are rendered here for the shipped definitions with that
URL being a real Alertmanager's on a free loopback port, which holds the alert as Prometheus (or Loki's ruler) sends
it: the rule's labels, each <label> placeholder's value (the reader fills them in from the notification) and the
stack's external labels. `obsgen` on the shell's PATH is this tree's.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from generator.derive.examples import expression_labels
from generator.model import Alert, LogAlert, conventions
from generator.model.project import Project
from generator.targets import docs, loki
from generator.targets.prometheus import alert_rule
from tests import servers
from tests.e2e.inhibition import until
from tests.pasted_runbook import runbook_line, shell_environment

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n"
OTHER_STACK = {"platform": "payments"}
"""Another stack's external labels: its copy of each alert shares the Alertmanager and must stay unsilenced."""
PLACEHOLDER = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)>")
PAGES = sorted(path.stem for path in (ROOT / "out/docs/runbooks").glob("*.md")
               if re.search(rf"^obsgen ack {re.escape(path.stem)} ", path.read_text(), re.MULTILINE))
"""The shipped runbooks that print an acknowledgement (those of alerts with an escalation)."""


def _shape(name: str) -> tuple[str, ...]:
    """The label names a runbook's acknowledgement matches on: the pages sharing them differ only in values."""
    line, = re.findall(rf"^obsgen ack {re.escape(name)} (.*)$", (ROOT / f"out/docs/runbooks/{name}.md").read_text(),
                       re.MULTILINE)
    return tuple(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=", line))


SHAPES = sorted({_shape(name): name for name in reversed(PAGES)}.values())
"""One runbook per shape of acknowledgement (each paste runs a shell and a real `obsgen ack`): pages of one shape
print one template with other names and values (tests/unit/test_runbook_ack.py compares them with notifications)."""


@dataclasses.dataclass
class Reader:
    """The Alertmanager, the runbooks rendered for a stack declaring it, and a shell environment without it."""

    alertmanager: str
    project: Project
    pages: dict[str, str]
    env: dict[str, str]
    home: Path


@pytest.fixture(scope="module")
def reader(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    workdir = tmp_path_factory.mktemp("runbook-ack")
    (workdir / "alertmanager.yml").write_text(CONFIG)
    env = shell_environment(workdir)
    with servers.alertmanager(workdir / "alertmanager.yml", workdir) as server:
        declared = dataclasses.replace(project, stack=project.stack.model_copy(update={"alertmanager_url": server.url}))
        pages = {**docs.render(declared), **loki.runbooks(declared)}
        yield Reader(server.url, declared, pages, env, workdir)


def _line(reader: Reader, name: str, start: str) -> str:
    """The runbook's one line starting so."""
    return runbook_line(reader.pages[conventions.runbook_page(name)], start)


def _fired(reader: Reader, name: str) -> dict[str, str]:
    """A value for each label of the alert's result: its firing examples' (a log alert has none)."""
    alert = reader.project.alerts.get(name)
    known: dict[str, str] = {}
    if not isinstance(alert, Alert):
        return known
    for example in alert.examples:
        if example.fires:
            known |= expression_labels(alert, example)
    return known


def _rule_labels(reader: Reader, name: str) -> dict[str, str]:
    """The labels the alert's rule sets, each templated one left to its placeholder."""
    alert = reader.project.alerts.get(name)
    if alert is not None:
        labels = alert_rule(reader.project, alert)["labels"]
    else:
        log_alert, = (found for found in reader.project.all(LogAlert) if found.name == name)
        labels = loki.alert_rule(reader.project, log_alert)["labels"]
    return {key: str(value) for key, value in labels.items() if "{{" not in str(value)}


def _pasted(reader: Reader, line: str, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The line as a reader pastes it, each <label> filled in, and the labels filled."""
    filled: dict[str, str] = {}

    def fill(placeholder: re.Match[str]) -> str:
        filled[placeholder[1]] = values.get(placeholder[1], f"{placeholder[1]}-1")
        return filled[placeholder[1]]
    return PLACEHOLDER.sub(fill, line), filled


def _run(reader: Reader, line: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=120, env=reader.env,
                          cwd=reader.home)


def _post(reader: Reader, *labelled: dict[str, str]) -> None:
    requests.post(f"{reader.alertmanager}/api/v2/alerts", json=[{"labels": labels} for labels in labelled],
                  timeout=10).raise_for_status()


def _silenced_by(reader: Reader, labels: dict[str, str]) -> list[str]:
    """The silences muting the one held alert with exactly these labels."""
    held = requests.get(f"{reader.alertmanager}/api/v2/alerts", timeout=10).json()
    found, = (alert for alert in held if alert["labels"] == labels)
    return list(found["status"]["silencedBy"])


def _expire(reader: Reader, silence_id: str) -> None:
    requests.delete(f"{reader.alertmanager}/api/v2/silence/{silence_id}", timeout=10).raise_for_status()


def _alert_and_other_stack(reader: Reader, name: str, filled: dict[str, str]) -> tuple[dict[str, str], ...]:
    """The alert as this stack sends it, and the same alert of another stack, both posted."""
    labels = {"alertname": name, **_rule_labels(reader, name), **filled}
    ours = {**reader.project.stack.external_labels, **labels}
    theirs = {**ours, **OTHER_STACK}
    _post(reader, ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("command", ["obsgen ack {name} ", "amtool silence add "])
@pytest.mark.parametrize("name", SHAPES)
def test_the_runbooks_acknowledgement_pasted_silences_its_alert(reader: Reader, name: str, command: str) -> None:
    line, filled = _pasted(reader, _line(reader, name, command.format(name=name)), _fired(reader, name))
    ours, theirs = _alert_and_other_stack(reader, name, filled)
    acked = _run(reader, line)
    assert acked.returncode == 0, (line, acked.stderr)
    silence_id = acked.stdout.strip()
    try:
        assert until(lambda: silence_id in _silenced_by(reader, ours)), (line, _silenced_by(reader, ours))
        assert _silenced_by(reader, theirs) == [], line
    finally:
        _expire(reader, silence_id)


def test_the_runbooks_list_and_expire_lines_pasted_show_and_end_the_acknowledgement(reader: Reader) -> None:
    """Every runbook prints the same two lines; pasted, they list the silence and end it."""
    assert len({_line(reader, name, "obsgen ack --list") for name in PAGES}) == 1
    assert len({_line(reader, name, "obsgen ack --expire") for name in PAGES}) == 1
    name = PAGES[0]
    line, filled = _pasted(reader, _line(reader, name, f"obsgen ack {name} "), _fired(reader, name))
    ours, _ = _alert_and_other_stack(reader, name, filled)
    acked = _run(reader, line)
    assert acked.returncode == 0, (line, acked.stderr)
    silence_id = acked.stdout.strip()

    listed = _run(reader, _line(reader, name, "obsgen ack --list"))
    assert listed.returncode == 0 and silence_id in listed.stdout, (listed.stdout, listed.stderr)
    expired = _run(reader, _line(reader, name, "obsgen ack --expire").replace("<silence id>", silence_id))
    assert expired.returncode == 0, expired.stderr
    assert until(lambda: _silenced_by(reader, ours) == []), _silenced_by(reader, ours)
