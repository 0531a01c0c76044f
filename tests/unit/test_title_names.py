"""A notification's title names a group's alerts, the first three then how many more: a dead job feeding ten SLOs
pages once (its SLIAbsent pages are one group), and its title stays one line in Slack, an email subject, and a
PagerDuty summary that Alertmanager need not cut (Events API v2 holds a summary to 1024 characters; Alertmanager's
notify/pagerduty cuts it there, maxV2SummaryLenRunes), with its first alert's summary still in it. Rendered by amtool
from the generated templates; Slack's title keeps its escaping (tests/slack_text.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.model import conventions
from generator.model.project import Project
from generator.targets import alertmanager
from tests.amtool_render import render
from tests.slack_text import assert_escaped, shown

pytestmark = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
MANY = [f"Service{n:02}WithAVeryLongNameCheckoutAvailabilityForEveryRegionSLIAbsent" for n in range(16)]
"""Absent pages of one job, names as long as an SLO's service and objective make them: sixteen, 1,100 characters."""
PAGES = MANY[:10]
GROUP = {"job": "api", "sli": "absent"}
SUMMARY = "checkout availability SLO is not measured: its SLI's input series are absent"


@pytest.fixture(scope="module")
def template(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("titles") / "obsgen.tmpl"
    path.write_text(alertmanager.render(project)[conventions.alertmanager_template()])
    return path


def _render(template: Path, name: str, alertnames: list[str]) -> str:
    """What amtool renders of the template for a firing group of one alert per name (in this order)."""
    alerts: list[dict[str, Any]] = [
        {"status": "firing", "labels": {"alertname": alertname, "severity": "critical", **GROUP},
         "annotations": {"summary": SUMMARY}, "startsAt": "2024-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "http://prometheus.example:9090", "fingerprint": str(index)}
        for index, alertname in enumerate(alertnames)]
    common = {"severity": "critical", **GROUP, **({"alertname": alertnames[0]} if len(set(alertnames)) == 1 else {})}
    data = {"receiver": "oncall", "status": "firing", "alerts": alerts, "groupLabels": GROUP, "commonLabels": common,
            "commonAnnotations": {"summary": SUMMARY}, "externalURL": "http://alertmanager.example:9093"}
    return render(template, f'{{{{ template "{name}" . }}}}', data, template.parent)


def test_a_title_names_the_first_three_alerts_and_counts_the_rest(template: Path) -> None:
    expected = f"[FIRING:10] CRITICAL {' '.join(PAGES[:3])} +7 more job=api sli=absent"
    assert _render(template, "obsgen.title", PAGES) == expected
    assert _render(template, "obsgen.slack.title", PAGES) == expected
    assert _render(template, "obsgen.email.subject", PAGES).endswith(f"] {expected}")


def test_a_pages_summary_fits_pagerdutys_1024_characters_with_the_first_alerts_summary(template: Path) -> None:
    summary = _render(template, "obsgen.pagerduty.description", MANY)
    assert len(summary) <= 1024 and summary.endswith(f"{conventions.PAGE_SUMMARY_SEPARATOR}{SUMMARY}"), summary


def test_three_names_or_fewer_are_all_named_and_each_once(template: Path) -> None:
    three = f"[FIRING:3] CRITICAL {' '.join(PAGES[:3])} job=api sli=absent"
    assert _render(template, "obsgen.title", PAGES[:3]) == three
    twice = [PAGES[0], PAGES[0], PAGES[1], PAGES[2], PAGES[3]]  # two instances of one name count once
    assert _render(template, "obsgen.title", twice) == (
        f"[FIRING:5] CRITICAL {' '.join(PAGES[:3])} +1 more job=api sli=absent")


def test_a_slack_title_of_many_names_keeps_its_escaping(template: Path) -> None:
    names = ["A<!channel>&B", *PAGES[:5]]
    title = _render(template, "obsgen.slack.title", names)
    assert_escaped(title)
    assert shown(title) == f"[FIRING:6] CRITICAL A<!channel>&B {' '.join(PAGES[:2])} +3 more job=api sli=absent"
