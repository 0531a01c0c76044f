"""An SLIAbsent page with channels of its own still joins its job's page: when the api job dies, on-call's channels
get one notification naming both SLOs it feeds, and the page's own channel its own notification, on a real
Alertmanager with the routes compiled for such a definition.

ApiLatencySLIAbsent is given the webhook channel on top of its severity's (critical: email and slack). Its own route
reaches the webhook and continues to the critical route, whose child groups the absent pages by job: on-call is told
once, as for two pages without channels of their own (before, the page's own route sent it to email, slack and the
webhook alone, and CheckoutAvailabilitySLIAbsent was a second notification to email and slack).
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.model import Alert
from generator.model.project import Project
from generator.targets import alertmanager as compile_alertmanager
from generator.targets.route_tests import expectations
from tests.e2e.inhibition import Sink, post, quiet_since, rule_alert, shipped_alertmanager, until

PLATFORM = {"platform": "ecommerce-rag"}
OWN = "ApiLatencySLIAbsent"
"""The page given a channel of its own."""
OTHER = "CheckoutAvailabilitySLIAbsent"
"""The other page of the api job, with its severity's channels alone."""


def _with_own_channel(project: Project) -> Project:
    """The shipped definitions with OWN also notifying the webhook channel."""
    objects = tuple(obj.model_copy(update={"channels": ("webhook",)}) if isinstance(obj, Alert) and obj.name == OWN
                    else obj for obj in project.objects)
    return dataclasses.replace(project, objects=objects)


@pytest.fixture
def alertmanager(project: Project, tmp_path: Path) -> Iterator[tuple[str, Sink]]:
    compiled = compile_alertmanager.config(_with_own_channel(project))
    with shipped_alertmanager(tmp_path, compiled=compiled) as served:
        yield served


def _told(sink: Sink) -> dict[str, list[list[str]]]:
    """The alert names of each firing notification, by receiver."""
    told: dict[str, list[list[str]]] = {}
    with sink.lock:
        for body in sink.notifications:
            if body["status"] == "firing":
                told.setdefault(body["receiver"], []).append(sorted(a["labels"]["alertname"] for a in body["alerts"]))
    return told


def test_a_page_with_its_own_channel_joins_its_jobs_page_and_reaches_its_channel(
        alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    posted = post(url, rule_alert(OWN, PLATFORM), rule_alert(OTHER, PLATFORM))
    assert until(lambda: len(_told(sink)) >= 2)
    quiet_since(posted)  # every group the post made has flushed (group_wait 1 s) and its next interval passed
    assert _told(sink) == {"email-slack": [sorted([OWN, OTHER])], "webhook": [[OWN]]}


def test_two_pages_with_the_same_own_channel_reach_it_once(project: Project, tmp_path: Path) -> None:
    both = _with_own_channel(project)
    objects = tuple(obj.model_copy(update={"channels": ("webhook",)}) if isinstance(obj, Alert) and obj.name == OTHER
                    else obj for obj in both.objects)
    compiled = compile_alertmanager.config(dataclasses.replace(both, objects=objects))
    with shipped_alertmanager(tmp_path, compiled=compiled) as (url, sink):
        posted = post(url, rule_alert(OWN, PLATFORM), rule_alert(OTHER, PLATFORM))
        assert until(lambda: len(_told(sink)) >= 2)
        quiet_since(posted)
        assert _told(sink) == {"email-slack": [sorted([OWN, OTHER])], "webhook": [sorted([OWN, OTHER])]}


def test_the_route_tests_obsgen_check_runs_expect_both_receivers(project: Project, tmp_path: Path) -> None:
    """amtool, given the compiled routes, reaches what the generated route tests expect of the page: its own channel's
    receiver, then its severity's."""
    changed = _with_own_channel(project)
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(compile_alertmanager.config(changed)))
    cases = [case for case in expectations(changed) if case["labels"].get("alertname") == OWN
             and "escalation_level" not in case["labels"]]
    assert [case["receiver"] for case in cases] == ["webhook,email-slack"]
    labels = [f"{name}={value}" for name, value in cases[0]["labels"].items()]
    tested = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={config}",
                             f"--verify.receivers={cases[0]['receiver']}", *labels],
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr
