"""A Slack message shows label values and annotations as they are: rendered by amtool from the generated templates and
the Slack receivers' own title, fallback and text, with values that Slack would read as a mention (<!channel>,
<@U123>), a link (a<b|c>) or an entity (&amp;), no <, > or & is left raw outside the links obsgen writes, those
links keep their URLs, and un-escaping (as Slack displays the text) gives back the text an email shows.
Slack: "Slack uses &, <, and > as control characters ... they must be converted to HTML entities if they're not used
for their parsing purpose" (api.slack.com/reference/surfaces/formatting, "Escaping text")."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from generator.live.client import title_of, webhook_matches
from generator.model import conventions
from generator.model.project import Project
from generator.targets import alertmanager
from tests.slack_text import LINK, assert_escaped, links, shown

EXTERNAL_URL = "http://alertmanager.example:9093"
NASTY = ["<!channel>", "<@U123>", "a<b|c>", "&amp;", "x > 2s", "<!here> & <https://evil.example|click me>"]
"""Label values and annotation text Slack would otherwise read as a mention, a link or an entity."""
SEPARATOR = "\n=== obsgen field ===\n"
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")


@pytest.fixture(scope="module")
def rendered(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The generated template file and one Slack receiver's config entry."""
    documents = alertmanager.render(project)
    path = tmp_path_factory.mktemp("slack") / "obsgen.tmpl"
    path.write_text(documents[conventions.alertmanager_template()])
    entries = [entry for receiver in documents[conventions.ALERTMANAGER_CONFIG]["receivers"]
               for entry in receiver.get("slack_configs", [])]
    assert entries and all({entry[field] for field in ("title", "fallback", "text")} == {
        entries[0][field] for field in ("title", "fallback", "text")} for entry in entries)
    return path, entries[0]


def _alert(value: str, status: str = "firing") -> dict[str, Any]:
    labels = {"alertname": "CpuHigh", "severity": "critical", "instance": value, "escalation_policy": "default"}
    ends = "2024-01-01T00:10:00Z" if status == "resolved" else "0001-01-01T00:00:00Z"  # resolved: its EndsAt is set
    return {"status": status, "labels": labels, "startsAt": "2024-01-01T00:00:00Z", "endsAt": ends,
            "generatorURL": "http://prometheus.example:9090", "fingerprint": "1",
            "annotations": {"summary": f"p99 of {value} > 2s & rising", "description": f"{value} is <slow>",
                            "runbook_url": "https://runbooks.example/cpu?a=1&b=x|y <z>",
                            "dashboard_url": f"http://grafana.example/d/ops?viewPanel=1&var-instance={quote(value)}"}}


def _render(path: Path, texts: list[str], value: str, status: str) -> list[str]:
    """What amtool renders of each text (text/template, as Alertmanager renders Slack's fields) for a group of one
    alert whose instance and annotations hold the value."""
    alert = _alert(value, status)
    group = {"alertname": "CpuHigh", "instance": value}
    data = {"receiver": "oncall", "status": status, "alerts": [alert], "groupLabels": group,
            "commonLabels": alert["labels"], "commonAnnotations": alert["annotations"], "externalURL": EXTERNAL_URL}
    data_file = path.with_name("data.json")
    data_file.write_text(json.dumps(data))
    result = subprocess.run(["amtool", "template", "render", f"--template.glob={path}",
                             f"--template.text={SEPARATOR.join(texts)}", f"--template.data={data_file}"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split(SEPARATOR)


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
def test_slack_title_and_fallback_show_the_labels_as_they_are(rendered: tuple[Path, dict[str, Any]],
                                                               value: str) -> None:
    path, slack = rendered
    title, fallback, plain = _render(path, [slack["title"], slack["fallback"], '{{ template "obsgen.title" . }}'],
                                     value, "firing")
    for text in (title, fallback):
        assert not LINK.search(text), text
        assert_escaped(text)
        assert shown(text) == plain  # what an email's subject says
    assert plain.endswith(f"CRITICAL CpuHigh instance={value}")


@needs_amtool
@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_slack_text_shows_annotations_and_the_ack_command_as_they_are_with_working_links(
        rendered: tuple[Path, dict[str, Any]], value: str, status: str) -> None:
    path, slack = rendered
    text, command, silence = _render(path, [slack["text"], '{{ template "obsgen.ack.command" . }}',
                                            '{{ template "obsgen.ack.url" . }}'], value, status)
    assert_escaped(text)
    found = links(text)
    annotations = _alert(value)["annotations"]
    assert found["Runbook"] == "https://runbooks.example/cpu?a=1&b=x%7Cy%20%3Cz%3E"  # the same URL, percent-encoded
    # already percent-encoded: as it is, then the incident's time range (tests/unit/test_dashboard_link_range.py)
    assert found["Dashboard panel"].startswith(f"{annotations['dashboard_url']}&from=1704063600000&to="), found
    displayed = shown(text)
    if status == "firing":
        assert found["silence it"] == silence and silence.startswith(f"{EXTERNAL_URL}/#/silences/new?filter=%7B")
        assert f"Acknowledge: `{command} --for 2h` or silence it\n" in displayed  # the command as printed in an email
        assert f"\n*{annotations['summary']}*\n{annotations['description']}\n" in displayed
    else:
        assert "silence it" not in found
        assert f"\nResolved at 2024-01-01 00:10:00 UTC, after firing for 10m0s. Last seen before it resolved: " \
               f"{annotations['summary']}\n" in displayed
    assert set(found) <= {"silence it", "Runbook", "Dashboard panel", "see them in Alertmanager"}


@needs_amtool
def test_slack_text_without_such_characters_is_unchanged(rendered: tuple[Path, dict[str, Any]]) -> None:
    path, slack = rendered
    title, plain = _render(path, [slack["title"], '{{ template "obsgen.title" . }}'], "web-1", "firing")
    assert title == plain == "[FIRING:1] CRITICAL CpuHigh instance=web-1"


def test_the_sinks_read_a_slack_title_as_slack_shows_it() -> None:
    """The live stack's matchers (obsgen's ledger, the e2e tests) find a Slack message by the labels its title shows."""
    record = {"path": "/slack/alerts", "answered": 200, "received": 1.0,
              "body": {"attachments": [{"title": "[FIRING:1] CRITICAL CpuHigh instance=a&lt;b&gt;&amp;amp;"}]}}
    assert title_of(record) == "[FIRING:1] CRITICAL CpuHigh instance=a<b>&amp;"
    assert webhook_matches("/slack/alerts", "CpuHigh", "firing", 0.0, {"instance": "a<b>&amp;"})(record)
