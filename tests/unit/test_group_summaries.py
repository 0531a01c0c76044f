"""A notification about a group of several alerts says so in its one line: a page's summary lists the firing alerts'
summaries as far as PagerDuty's 1024 characters hold them, then how many more ("and 3 more"), so that no one reads
/data's 3.0% as the only disk filling while /var is at 0.5%; every title (Slack's title and fallback, an email's
subject, a page's summary) counts the alerts in each state. Alertmanager's templates cannot sort by value (a summary
is text), so the list is in Alertmanager's order (by labels) and no line claims to name the worst first.
Rendered by the real amtool 0.25 from the generated templates (tests/e2e/test_notification_content.py: a real
Alertmanager delivers them)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.model import conventions
from generator.model.project import Project
from tests.amtool_render import generated_templates, render
from tests.slack_text import shown

pytestmark = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
SEPARATOR = conventions.PAGE_SUMMARY_SEPARATOR
PAGERDUTY_SUMMARY_LIMIT = 1024
"""Characters of an Events API v2 summary (Alertmanager 0.25's notify/pagerduty cuts it there, maxV2SummaryLenRunes)."""
TITLE = "CRITICAL DiskAlmostFull instance=db-1"
MOUNTS = ["/data", "/home", "/srv", "/var", "/var/log"]
FREE = {"/data": 3.0, "/home": 4.2, "/srv": 1.1, "/var": 0.5, "/var/log": 2.7}
NOT_FIRING = "0001-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def template(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_templates(project, tmp_path_factory.mktemp("group-summaries"))


def _summary(mount: str) -> str:
    return f"{mount} on db-1 has {FREE.get(mount, 0.1):.1f}% free (less than 5%)"


def _alert(mount: str, ends: str = NOT_FIRING, summary: str | None = None) -> dict[str, Any]:
    return {"status": "firing" if ends == NOT_FIRING else "resolved",
            "labels": {"alertname": "DiskAlmostFull", "severity": "critical", "instance": "db-1", "mountpoint": mount},
            "annotations": {"summary": _summary(mount) if summary is None else summary,
                            "description": f"{mount} fills up"},
            "startsAt": "2024-01-01T00:00:00Z", "endsAt": ends, "generatorURL": "http://prometheus.example:9090",
            "fingerprint": mount}


def _render(template: Path, name: str, alerts: list[dict[str, Any]]) -> str:
    """What amtool renders of the named template for a group of db-1's DiskAlmostFull alerts (in Alertmanager's order,
    by labels: by mountpoint here)."""
    data = {"receiver": "oncall", "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
            "alerts": alerts, "groupLabels": {"alertname": "DiskAlmostFull", "instance": "db-1"},
            "commonLabels": {"alertname": "DiskAlmostFull", "severity": "critical", "instance": "db-1"},
            "commonAnnotations": {}, "externalURL": "http://alertmanager.example:9093"}
    return render(template, f'{{{{ template "{name}" . }}}}', data, template.parent)


@pytest.mark.parametrize("count", [1, 2, 5])
def test_a_page_lists_each_firing_alerts_summary(template: Path, count: int) -> None:
    """runbook55's group: /data at 3.0% and /var at 0.5% on db-1. The page's summary was the first alert's alone."""
    mounts = ["/data", "/var"] if count == 2 else MOUNTS[:count]
    summary = _render(template, "obsgen.pagerduty.description", [_alert(mount) for mount in mounts])
    expected = f"[FIRING:{count}] {TITLE}{SEPARATOR}{'; '.join(_summary(mount) for mount in mounts)}"
    assert summary == expected, summary


@pytest.mark.parametrize("count", [1, 2, 5])
def test_a_title_counts_the_alerts_in_each_state(template: Path, count: int) -> None:
    """A firing group with alerts resolved since the last message says how many of each; a resolved one keeps
    `[RESOLVED]` (the ledger reads it), and its page's summary counts the others."""
    firing = [_alert(mount) for mount in MOUNTS[:count]]
    resolved = [_alert(mount, "2024-01-01T00:12:04Z") for mount in MOUNTS[:count]]
    mixed = [_alert("/a", "2024-01-01T00:12:04Z"), *firing]  # a resolved alert sorts first
    for name, wrap in (("obsgen.title", str), ("obsgen.slack.title", shown), ("obsgen.email.subject", str)):
        assert wrap(_render(template, name, firing)).endswith(f"[FIRING:{count}] {TITLE}")
        assert wrap(_render(template, name, mixed)).endswith(f"[FIRING:{count}, RESOLVED:1] {TITLE}")
        assert wrap(_render(template, name, resolved)).endswith(f"[RESOLVED] {TITLE}")
    page = _render(template, "obsgen.pagerduty.description", mixed)
    assert page == f"[FIRING:{count}, RESOLVED:1] {TITLE}{SEPARATOR}{'; '.join(map(_summary, MOUNTS[:count]))}", page
    page = _render(template, "obsgen.pagerduty.description", resolved)
    first = (f"[RESOLVED] {TITLE}{SEPARATOR}Resolved at 2024-01-01 00:12:04 UTC, after firing for 12m4s. "
             f"Last seen before it resolved: {_summary('/data')}")
    assert page == (first if count == 1 else f"{first}; and {count - 1} more resolved"), page


def test_a_big_groups_page_lists_what_fits_in_1024_characters_then_counts_the_rest(template: Path) -> None:
    """300 mountpoints of one disk, each summary ~90 characters: the page lists the first ones, in order, each whole,
    and says how many it leaves out; the whole summary stays within PagerDuty's limit, so Alertmanager cuts nothing."""
    mounts = [f"/var/lib/kubelet/pods/{n:03}/volumes/kubernetes.io~empty-dir/cache" for n in range(300)]
    summary = _render(template, "obsgen.pagerduty.description", [_alert(mount) for mount in mounts])
    assert len(summary) <= PAGERDUTY_SUMMARY_LIMIT, len(summary)
    title, _, listed = summary.partition(SEPARATOR)
    assert title == f"[FIRING:300] {TITLE}"
    *summaries, more = listed.split("; ")
    assert len(summaries) > 3 and summaries == [_summary(mount) for mount in mounts[:len(summaries)]], summary
    assert more == f"and {300 - len(summaries)} more", summary


def test_an_alert_without_a_summary_is_counted_not_listed(template: Path) -> None:
    alerts = [_alert("/data"), _alert("/srv", summary=""), _alert("/var")]
    summary = _render(template, "obsgen.pagerduty.description", alerts)
    assert summary == f"[FIRING:3] {TITLE}{SEPARATOR}{_summary('/data')}; {_summary('/var')}; and 1 more", summary


def test_a_summary_longer_than_the_page_is_still_given_for_alertmanager_to_cut(template: Path) -> None:
    """The first summary is always shown, even past the limit (Alertmanager cuts it at 1024 characters, with …)."""
    long = "x" * 1500
    summary = _render(template, "obsgen.pagerduty.description", [_alert("/data", summary=long), _alert("/var")])
    assert summary == f"[FIRING:2] {TITLE}{SEPARATOR}{long}; and 1 more", summary[:200]
