"""A group that fires on with one alert resolved since its last notification (Alertmanager sends both, sorted by
their labels: the resolved one may come first). Prometheus sends a resolved alert with the annotations of its last
firing evaluation, so its summary's value is the one before it resolved: every channel shows it as that, after when it
resolved, and what fires now as what fires now (a page's summary: the first firing alert's, not the first alert's).
Rendered by amtool from the generated templates (tests/e2e/test_notification_content.py: a real Alertmanager)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.model import conventions
from generator.model.project import Project
from tests.amtool_render import generated_templates, render
from tests.slack_text import shown

pytestmark = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
RESOLVED_SUMMARY = "CPU on web-1 at 91.7% (above 90% for 5 minutes)"
FIRING_SUMMARY = "CPU on web-2 at 96.0% (above 90% for 5 minutes)"
LAST_SEEN = "Last seen before it resolved: "


@pytest.fixture(scope="module")
def template(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_templates(project, tmp_path_factory.mktemp("resolved"))


def _alert(instance: str, summary: str, ends: str) -> dict[str, Any]:
    return {"status": "resolved" if ends.startswith("2024") else "firing",
            "labels": {"alertname": "CpuHigh", "severity": "critical", "instance": instance},
            "annotations": {"summary": summary, "description": f"{instance} is busy; requests queue"},
            "startsAt": "2024-01-01T00:00:00Z", "endsAt": ends, "generatorURL": "http://prometheus.example:9090",
            "fingerprint": instance}


def _render(template: Path, name: str, kind: str = "text") -> str:
    """What amtool renders of the named template for the group: web-1 resolved (first), web-2 firing."""
    alerts = [_alert("web-1", RESOLVED_SUMMARY, "2024-01-01T00:12:04Z"),
              _alert("web-2", FIRING_SUMMARY, "0001-01-01T00:00:00Z")]
    data = {"receiver": "oncall", "status": "firing", "alerts": alerts, "groupLabels": {"alertname": "CpuHigh"},
            "commonLabels": {"alertname": "CpuHigh", "severity": "critical"}, "commonAnnotations": {},
            "externalURL": "http://alertmanager.example:9093"}
    return render(template, f'{{{{ template "{name}" . }}}}', data, template.parent, kind)


def test_a_firing_pages_summary_is_what_fires_now(template: Path) -> None:
    summary = _render(template, "obsgen.pagerduty.description")
    expected = f"[FIRING:1, RESOLVED:1] CRITICAL CpuHigh{conventions.PAGE_SUMMARY_SEPARATOR}{FIRING_SUMMARY}"
    assert summary == expected, summary  # the title counts the resolved alert; the summary is the firing one's


@pytest.mark.parametrize(("name", "kind"), [("obsgen.text", "text"), ("obsgen.email.html", "html"),
                                            ("obsgen.slack.text", "text"), ("obsgen.pagerduty.resolved", "text")])
def test_an_alert_resolved_since_the_last_message_reads_as_resolved(template: Path, name: str, kind: str) -> None:
    text = _render(template, name, kind)
    text = shown(text) if "slack" in name else html.unescape(text)
    assert text.count("91.7%") == text.count(LAST_SEEN + RESOLVED_SUMMARY) == 1, text
    assert "Resolved at 2024-01-01 00:12:04 UTC, after firing for 12m4s." in text, text
    assert "web-1 is busy" not in text, text  # the description says how it fires, in the present


def test_an_escalation_copy_reads_how_long_its_alert_fired_not_how_long_at_its_level(template: Path,
                                                                                       project: Project) -> None:
    """Level 2 of the default policy fires 30m after its page (00:00): its StartsAt is 00:30. Resolved at 00:42:04,
    the alert fired 42m4s, as its page's own resolved notification says; not the 12m4s it spent at level 2."""
    after = project.escalation_policies["default"].levels[1].after
    assert after == "30m"
    copy = _alert("web-1", RESOLVED_SUMMARY, "2024-01-01T00:42:04Z")
    copy["labels"] |= {conventions.ESCALATION_POLICY_LABEL: "default", conventions.ESCALATION_LEVEL_LABEL: "2"}
    copy["startsAt"] = "2024-01-01T00:30:00Z"
    page = _alert("web-1", RESOLVED_SUMMARY, "2024-01-01T00:42:04Z")
    told = [render(template, '{{ template "obsgen.resolved.when" (index .Alerts 0) }}',
                   {"status": "resolved", "alerts": [alert]}, template.parent) for alert in (page, copy)]
    assert told == ["Resolved at 2024-01-01 00:42:04 UTC, after firing for 42m4s."] * 2, told
