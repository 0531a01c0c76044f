"""The notifications' Alertmanager links and printed `obsgen ack` command hold any label value: rendered by amtool
from the generated templates for a group whose instance label holds quotes, backslashes, URL and shell syntax, UTF-8,
control characters and line separators, each link is read as the UI of the Alertmanager the Stack declares reads its
filter (0.25's keeps a value as written, 0.32.0's and later decode it as JSON), the silence its form would create is
created in a real Alertmanager and mutes the alert (or the notification says it cannot), the alert list's matchers
select exactly that alert, and the command splits (as a POSIX shell does) back to the exact labels, with no raw
control character to lose when it is copied."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from generator.apply.silences import Matcher
from generator.cli.app import app
from generator.model import conventions
from generator.model.project import Project
from generator.targets import alertmanager
from tests import servers
from tests.alertmanager_ui import api_matcher, decoded_value, kept_value, ui_filter

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_URL = "http://alertmanager.example:9093"
NASTY = ['a b"c\\d', "x&y#z%25+1,2}", 'env="prod",zone=~".*"', "日本 ü", "line\nbreak",
         "it's $(touch pwned) `id`; $HOME", "\\", '"quoted"', "trailing\\", "tab\there\t", "crlf\r\n",
         "nul\x00us\x1fdel\x7f", "ls\u2028ps\u2029nel\x85", "\x1b[31mred"]
"""Instance values no link or command may split, cut or run: each is a group of its own."""
NEIGHBOURS = ["a bc", "tab\\there\\t", "crlf\\r\n", "ls\\u2028ps\\u2029nel\\u0085"]
"""Instances a link or command silences where it reads a value with its backslashes, or escapes as Go writes them,
kept (Alertmanager 0.25's UI, amtool)."""
KEPT = re.compile(r'["\\]')
"""What Alertmanager 0.25's silence form cannot hold exactly: it keeps the backslash of \\" and \\\\."""
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
KEEPING = "0.25.0"
"""An Alertmanager whose UI keeps a filter value as written (Debian's, here)."""
DECODING = "0.34.1"
"""An Alertmanager whose UI decodes a filter value as JSON (from 0.32.0, prometheus/alertmanager#4862)."""
CONFIG = "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n"


def _labels(instance: str) -> dict[str, str]:
    return {"alertname": "CpuHigh", "instance": instance, "escalation_level": "2"}


def _written(project: Project, directory: Path) -> Path:
    path = directory / "obsgen.tmpl"
    path.write_text(alertmanager.render(project)[conventions.alertmanager_template()])
    return path


@pytest.fixture(scope="module")
def template(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped definitions' templates."""
    return _written(project, tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module", params=[KEEPING, DECODING], ids=["ui-keeps", "ui-decodes"])
def ui(request: pytest.FixtureRequest, project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """An Alertmanager release (whose UI keeps or decodes a filter value) and the templates for a Stack declaring it."""
    version: str = request.param
    declared = dataclasses.replace(project, stack=project.stack.model_copy(update={"alertmanager_version": version}))
    return version, _written(declared, tmp_path_factory.mktemp(f"templates-{version}"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Server]:
    """A real Alertmanager holding one alert per nasty value, plus its neighbours."""
    workdir = tmp_path_factory.mktemp("links")
    (workdir / "alertmanager.yml").write_text(CONFIG)
    with servers.alertmanager(workdir / "alertmanager.yml", workdir) as running:
        alerts = [{"labels": _labels(value)} for value in [*NASTY, *NEIGHBOURS]]
        requests.post(f"{running.url}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
        yield running


def _render(template: Path, text: str, labels: dict[str, str], kind: str = "text") -> str:
    """What amtool renders of the text for one firing alert grouped by all its labels."""
    alert = {"status": "firing", "labels": labels, "annotations": {}, "startsAt": "2024-01-01T00:00:00Z",
             "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example:9090", "fingerprint": "1"}
    data = {"receiver": "oncall", "status": "firing", "alerts": [alert], "groupLabels": labels,
            "commonLabels": {**labels, "severity": "critical"}, "commonAnnotations": {}, "externalURL": EXTERNAL_URL}
    data_file = template.with_name("data.json")
    data_file.write_text(json.dumps(data))
    shown = subprocess.run(["amtool", "template", "render", f"--template.glob={template}", f"--template.text={text}",
                            f"--template.data={data_file}", f"--template.type={kind}"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def _href(template: Path, name: str, labels: dict[str, str]) -> str:
    """The link of an email's HTML, where html/template escapes the values."""
    tag = _render(template, f'<a href="{{{{ template "{name}.html" . }}}}">', labels, "html")
    return html.unescape(re.fullmatch(r'<a href="([^"]*)">', tag)[1])  # type: ignore[index]


def _ui_filter(url: str, page: str) -> list[str]:
    return ui_filter(url, EXTERNAL_URL, page)


def _silences(server: servers.Server, form: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether the silence the form creates (each matcher an equality, convertFilterMatcher) mutes the alert."""
    matchers = [{"name": name, "value": value, "isRegex": False, "isEqual": True} for name, value in form.items()]
    created = requests.post(f"{server.url}/api/v2/silences", timeout=10, json={
        "matchers": matchers, "startsAt": "2024-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "test", "comment": "the link's silence"})
    assert created.status_code == 200, created.text
    silence = created.json()["silenceID"]
    try:
        alerts = requests.get(f"{server.url}/api/v2/alerts", timeout=10, params={
            "filter": [api_matcher(name, value) for name, value in labels.items()]}).json()
        assert [alert["labels"] for alert in alerts] == [labels]
        return silence in alerts[0]["status"]["silencedBy"]
    finally:
        requests.delete(f"{server.url}/api/v2/silence/{silence}", timeout=10).raise_for_status()


def _selected(server: servers.Server, matchers: list[str]) -> list[dict[str, str]]:
    """The alerts Alertmanager's API selects with the matchers (its own parser, as the UI's alert list asks it)."""
    answer = requests.get(f"{server.url}/api/v2/alerts", params={"filter": matchers}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [alert["labels"] for alert in answer.json()]


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
def test_the_silence_link_mutes_the_alert_and_the_alert_link_selects_it(ui: tuple[str, Path], server: servers.Server,
                                                                value: str) -> None:
    version, template = ui
    decodes = version == DECODING
    read = decoded_value if decodes else kept_value
    labels = _labels(value)
    silenced = {name: labels[name] for name in ("alertname", "instance")}  # the level too would miss the others
    for url in (_render(template, '{{ template "obsgen.ack.url" . }}', labels),
                _href(template, "obsgen.ack.url", labels)):
        form = dict(map(read, _ui_filter(url, "silences/new")))
        assert form.keys() == silenced.keys(), url
        carried = decodes or not KEPT.search(value)
        assert (form == silenced) == _silences(server, form, labels) == carried, (url, form)
    for url in (_render(template, '{{ template "obsgen.alerts.url" . }}', labels),
                _href(template, "obsgen.alerts.url", labels)):
        # The alert list asks the API with each matcher as the UI read it: 0.25's writes the text back between
        # quotes as it was; a decoding UI writes the value it decoded (JSON-encoded, which 0.25's API would not
        # read: here each value in the API's own syntax).
        matchers = ([api_matcher(*read(matcher)) for matcher in _ui_filter(url, "alerts")] if decodes
                    else _ui_filter(url, "alerts"))
        assert _selected(server, matchers) == [labels], url


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
def test_a_notification_says_when_its_silence_link_cannot_hold_a_value(ui: tuple[str, Path], value: str) -> None:
    """Next to the link, where the link's silence would match nothing (a UI before 0.32.0); never otherwise."""
    version, template = ui
    labels = {**_labels(value), "severity": "critical"}
    text = _render(template, '{{ template "obsgen.text" . }}', labels)
    slack = _render(template, '{{ template "obsgen.slack.text" . }}', labels)
    email = _render(template, '{{ template "obsgen.email.html" . }}', labels, "html")
    for shown in (text, slack, email):
        assert ("silence form keeps escaped" in shown) == (version == KEEPING and bool(KEPT.search(value))), shown


PRINTF = re.compile(r"\"\$\(printf '((?:\\(?:[0-7]{3}|[abtvfr]))+)'\)\"")
"""Where the command has the shell write a character: "$(printf '\\t')", "$(printf '\\342\\200\\250')"."""
PRINTF_NAMED = {"a": 7, "b": 8, "t": 9, "v": 11, "f": 12, "r": 13}


def _printf(escapes: str) -> str:
    """What printf writes of the format's escapes (octal bytes or the named ones), decoded as UTF-8."""
    codes = [int(code, 8) if code[0].isdigit() else PRINTF_NAMED[code]
             for code in re.findall(r"\\([0-7]{3}|[abtvfr])", escapes)]
    return bytes(codes).decode()


def _ack_arguments(command: str) -> list[str]:
    """The words of the printed acknowledgement past `obsgen ack`, split as a POSIX shell splits them (by the
    shell itself: a function named obsgen prints them, so anything the command would run shows), which must be the
    command's words with each printf substitution the character it writes, and nothing else run."""
    expected = shlex.split(PRINTF.sub(lambda found: shlex.quote(_printf(found[1])), command))
    assert expected[:2] == ["obsgen", "ack"]
    shell = subprocess.run(["sh", "-c", f'obsgen() {{ printf "%s\\0" "$@"; }}\n{command}'], capture_output=True,
                           timeout=10, cwd=ROOT / "tests")
    assert shell.returncode == 0 and not shell.stderr, shell.stderr
    words = shell.stdout.decode().split("\0")[:-1]  # as bytes: a text pipe would read a carriage return as a line end
    assert words == expected[1:]
    return words[1:]


def _muted(server: servers.Server, silence: str) -> list[str]:
    """The instances of the alerts the silence mutes; the silence is then deleted."""
    try:
        alerts = requests.get(f"{server.url}/api/v2/alerts", timeout=10).json()
        return sorted(alert["labels"]["instance"] for alert in alerts if silence in alert["status"]["silencedBy"])
    finally:
        requests.delete(f"{server.url}/api/v2/silence/{silence}", timeout=10).raise_for_status()


def _printed_ack(template: Path, labels: dict[str, str]) -> tuple[str, list[str]]:
    """The alert and the label matchers of the printed command, as the shell gives them to `obsgen ack`."""
    command = _render(template, '{{ template "obsgen.ack.command" . }} --for 2h', labels)
    assert not CONTROL.search(command), f"a raw control character or line separator in {command!r}"
    alert, *narrowing, url_flag, url, for_flag, lasting = _ack_arguments(command)
    assert (alert, url_flag, url, for_flag, lasting) == ("CpuHigh", "--alertmanager-url", EXTERNAL_URL, "--for", "2h")
    assert [Matcher.parse(matcher).name for matcher in narrowing] == ["instance"]
    return alert, narrowing


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
def test_the_printed_ack_command_silences_exactly_the_alert(template: Path, server: servers.Server,
                                                           value: str) -> None:
    alert, narrowing = _printed_ack(template, _labels(value))
    # the words as the shell gives them to `obsgen ack`, parsed by its own command line: in this process, where a
    # python of its own per value cost a second each (the shell's split is _ack_arguments' own check above)
    acked = CliRunner().invoke(app, ["ack", alert, *narrowing, "--for", "1m", "--alertmanager-url", server.url,
                                     "--out", str(ROOT / "out")])
    assert acked.exit_code == 0, acked.stderr
    assert "matches 1 alert (1 escalation copy)" in acked.stderr and "silencing 1 alert (" in acked.stderr, acked.stderr
    assert _muted(server, acked.stdout.strip()) == [value]


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
def test_the_printed_matchers_silence_exactly_the_alert_with_amtool_too(template: Path, server: servers.Server,
                                                                       value: str) -> None:
    """The command's matchers are amtool's: given to `amtool silence add` as printed, they mean what obsgen ack reads.
    amtool reads them with the classic parser (0.25's; from 0.27 matcher/compat's default fallback takes the classic
    reading wherever the UTF-8 parser's differs), which keeps the backslash of \\t: a tab is given raw, by the shell."""
    alert, narrowing = _printed_ack(template, _labels(value))
    added = subprocess.run(["amtool", f"--alertmanager.url={server.url}", "silence", "add", "--comment=ack",
                            "--duration=1m", alert, *narrowing], capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    assert _muted(server, added.stdout.strip()) == [value]


@needs_amtool
def test_a_plain_value_is_printed_as_it_is(template: Path) -> None:
    command = _render(template, '{{ template "obsgen.ack.command" . }}', _labels("web-1:9100"))
    assert command == f"obsgen ack CpuHigh instance=web-1:9100 --alertmanager-url {EXTERNAL_URL}"
