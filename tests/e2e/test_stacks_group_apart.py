"""Two stacks sharing one Alertmanager: the same alert of each is a notification of its own, acknowledged alone.

Each Prometheus sends its alerts with its external labels (the shipped stack's platform="ecommerce-rag"); two stacks,
two platforms. The shipped routes group by the external labels too, so the same job dead in both stacks is two
groups: two notifications, two PagerDuty incidents (the dedup_key is the group key's hash), and the acknowledgement
a notification prints silences its own stack's alert alone. The shipped stack's own titles do not show its platform;
another stack's show theirs.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.amtool_render import render
from tests.e2e.inhibition import OUT, Sink, post, quiet_since, rule_alert, until

HOME = {"platform": "ecommerce-rag"}
"""The shipped stack's external labels (out/prometheus/prometheus.yml)."""
OTHER = {"platform": "payments"}
"""Another stack's, whose Prometheus sends to the same Alertmanager."""
API_PAGES = ("CheckoutAvailabilitySLIAbsent", "ApiLatencySLIAbsent")
"""The absent pages of the SLOs the api job feeds."""


def _target_down(stack: dict[str, str]) -> dict[str, str]:
    """TargetDown of the api job as the stack's Prometheus sends it."""
    return {**rule_alert("TargetDown", stack), "job": "api"}


def _absent(name: str, stack: dict[str, str]) -> dict[str, str]:
    """The SLO's absent page as the stack's Prometheus sends it."""
    return rule_alert(name, stack)


def _notifications(sink: Sink, receiver: str) -> list[dict[str, Any]]:
    """The receiver's firing notifications as Alertmanager posted them."""
    with sink.lock:
        return [body for body in sink.notifications if body["receiver"] == receiver and body["status"] == "firing"]


def _stacks(sink: Sink, receiver: str) -> list[list[str]]:
    """The platform of each alert of each of the receiver's notifications."""
    return sorted(sorted(alert["labels"]["platform"] for alert in body["alerts"])
                  for body in _notifications(sink, receiver))


def _render(body: dict[str, Any], name: str, workdir: Path) -> str:
    """The shipped template `name` as Alertmanager renders it for this notification (amtool, out/'s templates)."""
    return render(f"{OUT / 'alertmanager/templates'}/*.tmpl", f'{{{{ template "{name}" . }}}}', body, workdir)


@pytest.fixture
def alertmanager(inhibiting_alertmanager: tuple[str, Sink]) -> tuple[str, Sink]:
    return inhibiting_alertmanager


def test_the_same_dead_job_of_two_stacks_is_two_notifications(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    posted = post(url, _target_down(HOME), _target_down(OTHER))
    assert until(lambda: bool(_notifications(sink, "email")))
    quiet_since(posted)  # both groups' first flushes have passed: both alerts are told by now, together or apart
    assert _stacks(sink, "email") == [[HOME["platform"]], [OTHER["platform"]]]


def test_one_dead_job_of_two_stacks_pages_once_per_stack(alertmanager: tuple[str, Sink]) -> None:
    """The job/sli grouping of the absent pages keeps each stack's pages together, and the two stacks apart."""
    url, sink = alertmanager
    posted = post(url, *(_absent(name, stack) for name in API_PAGES for stack in (HOME, OTHER)))
    assert until(lambda: bool(_notifications(sink, "email-slack")))
    quiet_since(posted)
    assert _stacks(sink, "email-slack") == [[HOME["platform"]] * 2, [OTHER["platform"]] * 2]


def test_each_stacks_page_is_an_incident_of_its_own(paging_alertmanager: tuple[str, Sink]) -> None:
    url, sink = paging_alertmanager
    pages = [_absent(name, stack) for name in API_PAGES for stack in (HOME, OTHER)]
    posted = post(url, *pages, *({**page, "escalation_level": "3"} for page in pages))
    assert until(lambda: bool(sink.pagerduty))
    quiet_since(posted)
    with sink.lock:
        incidents = {event["dedup_key"] for path, event in sink.pagerduty if event["event_action"] == "trigger"}
    assert len(incidents) == 2, sink.pagerduty


def _silenced(url: str) -> dict[str, bool]:
    """Each held alert's platform, whether a silence mutes it."""
    alerts = requests.get(f"{url}/api/v2/alerts", timeout=10).json()
    return {a["labels"]["platform"]: bool(a["status"]["silencedBy"]) for a in alerts}


def test_the_printed_acknowledgement_silences_its_stack_alone_and_the_title_names_the_other_stack(
        alertmanager: tuple[str, Sink], tmp_path: Path) -> None:
    url, sink = alertmanager
    post(url, _target_down(HOME), _target_down(OTHER))
    assert until(lambda: len(_notifications(sink, "email")) == 2)
    by_stack = {body["groupLabels"]["platform"]: body for body in _notifications(sink, "email")}
    titles = {platform: _render(body, "obsgen.title", tmp_path) for platform, body in by_stack.items()}
    assert titles == {HOME["platform"]: "[FIRING:1] WARNING TargetDown job=api",  # as with one stack
                      OTHER["platform"]: "[FIRING:1] WARNING TargetDown job=api platform=payments"}
    command = shlex.split(_render(by_stack[HOME["platform"]], "obsgen.ack.command", tmp_path))
    assert command[:2] == ["obsgen", "ack"], command
    acked = subprocess.run([sys.executable, "-m", "generator", *command[1:], "--out", str(OUT)],
                           capture_output=True, text=True, timeout=60)
    assert acked.returncode == 0, acked.stderr
    assert until(lambda: _silenced(url) == {HOME["platform"]: True, OTHER["platform"]: False}), _silenced(url)
