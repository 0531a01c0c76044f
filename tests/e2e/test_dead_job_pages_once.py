"""One dead job, one page: the SLIAbsent alerts of every SLO a scrape job feeds reach on-call as one notification,
one PagerDuty incident and one escalation ladder, on a real Alertmanager with the shipped routes.

When the api job dies, CheckoutAvailabilitySLIAbsent and ApiLatencySLIAbsent both fire. Each carries sli="absent"
and job="api" (the shipped rules' labels, read from out/), and the routes they reach group them by job and sli:
Alertmanager sends one notification per group, and PagerDuty's dedup_key is the group key's hash, so one group is
one incident. The page resolves once; a burn-rate page, and another job's absent page, stay pages of their own.

The dead job's revenue_total gone reads 0 to RevenueDrop (job="api"), which fires once the hour is outage on a route and
ladder of its own: JobDown (every target of the job down, an info alert that tells nobody) mutes it (the same job and
platform), so on-call is paged once, for the cause. The absent page alone mutes nothing: it also fires with the job up
(a deploy renamed a histogram's buckets), and an acknowledged (silenced) alert still inhibits in Alertmanager, so a
real drop would have paged nobody while the bucket problem was acknowledged. RevenueDrop with the job up, beside an
absent page acknowledged or not, or beside another job's JobDown, pages as before.

A job with no target at all (scaled to zero, gone from discovery, renamed) has no `up`, so JobDown cannot fire:
JobMissing (critical, derived from the declared scrape jobs) pages a minute before the absent pages, and mutes them
and the job's RevenueDrop. One page, the cause's; and since it pages itself, a rename that keeps it firing mutes
nothing silently.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests

from tests.e2e.inhibition import OUT, Sink, assert_not_muted_by, post, quiet_since, rule_alert, status, until

PLATFORM = {"platform": "ecommerce-rag"}
API_PAGES = ("CheckoutAvailabilitySLIAbsent", "ApiLatencySLIAbsent")
"""The absent alerts of the SLOs whose inputs the api job exposes."""
ONCALL = "email-slack"
"""The critical severity's receiver, which the SLO pages reach."""


def _alert(name: str) -> dict[str, str]:
    """The alert's labels as Prometheus sends it: its rule's (not an escalation copy's) and the external labels."""
    return rule_alert(name, PLATFORM)


def _revenue_drop(job: str = "api") -> dict[str, str]:
    """RevenueDrop as Prometheus sends it: its rule's labels and the job its `sum by (job)` keeps."""
    return {**_alert("RevenueDrop"), "job": job}


def _job_down(job: str = "api") -> dict[str, str]:
    """JobDown as Prometheus sends it: its rule's labels and the job its `max by (job)` keeps."""
    return {**_alert("JobDown"), "job": job}


def _job_missing(job: str = "api") -> dict[str, str]:
    """JobMissing as Prometheus sends it: its rule's labels and the job its absent(up{job="..."}) names."""
    return {**_alert("JobMissing"), "job": job}


def _level(alert: dict[str, str], number: int) -> dict[str, str]:
    """The escalation rule's copy of the alert at a level, as Prometheus sends it."""
    return {**alert, "escalation_level": str(number)}


def _notified(sink: Sink, receiver: str, status: str = "firing") -> list[list[str]]:
    """The alert names of each notification of the receiver with this status."""
    with sink.lock:
        return [sorted(alert["labels"]["alertname"] for alert in body["alerts"]) for body in sink.notifications
                if body["receiver"] == receiver and body["status"] == status]


def _groups(sink: Sink, receiver: str) -> set[str]:
    """The group keys of the receiver's notifications: one per notification Alertmanager keeps apart."""
    with sink.lock:
        return {body["groupKey"] for body in sink.notifications if body["receiver"] == receiver}


def _incidents(sink: Sink, key_file: str) -> set[str]:
    """The dedup_keys of the trigger events posted with the key file's routing key: one incident each."""
    with sink.lock:
        return {event["dedup_key"] for path, event in sink.pagerduty
                if event["event_action"] == "trigger" and path.startswith(f"/{key_file}/")}


@pytest.fixture
def alertmanager(inhibiting_alertmanager: tuple[str, Sink]) -> tuple[str, Sink]:
    return inhibiting_alertmanager


def test_the_slos_of_one_dead_job_page_once_naming_each(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    posted = post(url, *(_alert(name) for name in API_PAGES))
    assert until(lambda: bool(_notified(sink, ONCALL)))
    quiet_since(posted)  # the groups' first flushes have passed: a second page would have been sent by now
    assert _notified(sink, ONCALL) == [sorted(API_PAGES)]


def test_each_escalation_level_tells_once_and_level_3_opens_one_incident(
        paging_alertmanager: tuple[str, Sink]) -> None:
    url, sink = paging_alertmanager
    pages = [_alert(name) for name in API_PAGES]
    posted = post(url, *pages, *(_level(page, number) for page in pages for number in (1, 2, 3)))
    assert until(lambda: bool(_incidents(sink, "pagerduty_routing_key")))
    quiet_since(posted)
    assert len(_incidents(sink, "pagerduty_routing_key")) == 1, sink.pagerduty
    for receiver in ("email_team_lead", "email_manager-slack_urgent"):  # levels 1 and 2
        assert _notified(sink, receiver) == [sorted(API_PAGES)], receiver


def test_the_page_resolves_once_when_the_job_is_back(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    pages = [_alert(name) for name in API_PAGES]
    post(url, *pages)
    assert until(lambda: bool(_notified(sink, ONCALL)))
    first = post(url, pages[0], resolved=True)  # the two rules are evaluated apart: one resolves a little earlier
    quiet_since(first)
    assert _notified(sink, ONCALL, "resolved") == []  # the job's page is still firing
    last = post(url, pages[1], resolved=True)
    assert until(lambda: bool(_notified(sink, ONCALL, "resolved")))
    quiet_since(last)
    assert len(_notified(sink, ONCALL, "resolved")) == 1  # the alert resolved first was told with the firing one
    assert len(_groups(sink, ONCALL)) == 1


def test_a_burn_rate_page_and_another_jobs_absent_page_are_pages_of_their_own(
        alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    burning = {"alertname": "CheckoutAvailabilityBudgetBurn1h", "severity": "critical",
               "escalation_policy": "default", "service": "checkout", "slo": "availability", "window": "1h",
               **PLATFORM}
    other = _alert("AlertmanagerDeliverySLIAbsent")
    assert other.get("job") == "alertmanager", other
    posted = post(url, *(_alert(name) for name in API_PAGES), burning, other)
    assert until(lambda: len(_notified(sink, ONCALL)) == 3)
    quiet_since(posted)
    assert sorted(_notified(sink, ONCALL)) == sorted([sorted(API_PAGES), [burning["alertname"]],
                                                      [other["alertname"]]])


def _silenced(url: str) -> dict[str, bool]:
    """Each held alert's name (and level), whether a silence mutes it."""
    alerts: list[dict[str, Any]] = requests.get(f"{url}/api/v2/alerts", timeout=10).json()
    return {f"{a['labels']['alertname']}{a['labels'].get('escalation_level', '')}": bool(a["status"]["silencedBy"])
            for a in alerts}


def test_the_printed_acknowledgement_of_the_job_silences_its_pages_and_their_levels_alone(
        alertmanager: tuple[str, Sink]) -> None:
    url, _ = alertmanager
    pages = [_alert(name) for name in API_PAGES]
    other = _alert("AlertmanagerDeliverySLIAbsent")
    post(url, *pages, _level(pages[0], 1), other)
    assert until(lambda: len(_silenced(url)) == 4)
    acked = subprocess.run([sys.executable, "-m", "generator", "ack", "job=api", "sli=absent",
                            "--alertmanager-url", url, "--out", str(OUT)], capture_output=True, text=True, timeout=60)
    assert acked.returncode == 0, acked.stderr
    assert until(lambda: _silenced(url) == {**{name: True for name in API_PAGES}, f"{API_PAGES[0]}1": True,
                                            other["alertname"]: False}), _silenced(url)


def test_the_dead_jobs_revenue_drop_and_its_levels_page_nobody_while_its_absent_page_fires(
        paging_alertmanager: tuple[str, Sink]) -> None:
    url, sink = paging_alertmanager
    pages = [_alert(name) for name in API_PAGES]
    drop = _revenue_drop()
    post(url, *pages, *(_level(page, number) for page in pages for number in (1, 2, 3)))
    assert until(lambda: bool(_incidents(sink, "pagerduty_routing_key")))
    post(url, _job_down())  # 2m after the job died, notified to nobody
    posted = post(url, *pages, _job_down(), drop, *(_level(drop, number) for number in (1, 2, 3)))  # an hour later
    quiet_since(posted)
    assert _notified(sink, ONCALL) == [sorted(API_PAGES)]
    for receiver in ("email_team_lead", "email_manager-slack_urgent", "email_director-webhook_pagerduty"):
        assert _notified(sink, receiver) == [sorted(API_PAGES)], receiver
    assert len(_incidents(sink, "pagerduty_routing_key")) == 1, sink.pagerduty
    for labels in ({**drop, "escalation_level": ""}, *(_level(drop, number) for number in (1, 2, 3))):
        found = status(url, labels)
        assert found["state"] == "suppressed" and found["inhibitedBy"], found  # still there, for who looks


def test_a_revenue_drop_with_the_job_up_or_beside_another_jobs_absent_page_pages(
        alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    assert_not_muted_by(url, sink, _alert("AlertmanagerDeliverySLIAbsent"), _revenue_drop())
    assert _notified(sink, ONCALL).count(["RevenueDrop"]) == 1


def test_another_jobs_job_down_mutes_no_revenue_drop(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    assert_not_muted_by(url, sink, _job_down("node"), _revenue_drop())
    assert _notified(sink, ONCALL) == [["RevenueDrop"]]  # JobDown itself tells nobody


def test_a_revenue_drop_with_the_job_up_pages_while_its_absent_page_is_acknowledged(
        paging_alertmanager: tuple[str, Sink]) -> None:
    """A deploy renamed the latency histogram's buckets: ApiLatencySLIAbsent fires with the api up (no JobDown), and
    on-call acknowledges it with the command its notification prints; then revenue really drops. A silenced alert
    still inhibits in Alertmanager: muted by the absent page, this drop paged nobody, its ladder included."""
    url, sink = paging_alertmanager
    page = _alert("ApiLatencySLIAbsent")
    post(url, page, *(_level(page, number) for number in (1, 2, 3)))
    assert until(lambda: bool(_notified(sink, ONCALL)))
    acked = subprocess.run([sys.executable, "-m", "generator", "ack", "job=api", "sli=absent",
                            "--alertmanager-url", url, "--out", str(OUT)], capture_output=True, text=True, timeout=60)
    assert acked.returncode == 0, acked.stderr
    assert until(lambda: _silenced(url).get(page["alertname"], False))
    drop = _revenue_drop()
    posted = post(url, page, drop, *(_level(drop, number) for number in (1, 2, 3)))  # an hour later
    assert until(lambda: ["RevenueDrop"] in _notified(sink, ONCALL)), status(url, {**drop, "escalation_level": ""})
    quiet_since(posted)
    assert _notified(sink, ONCALL).count(["RevenueDrop"]) == 1
    assert status(url, {**drop, "escalation_level": ""})["inhibitedBy"] == []
    for receiver in ("email_team_lead", "email_manager-slack_urgent", "email_director-webhook_pagerduty"):
        assert _notified(sink, receiver).count(["RevenueDrop"]) == 1, receiver


def test_a_job_with_no_target_left_pages_once_for_the_cause(paging_alertmanager: tuple[str, Sink]) -> None:
    """The api scaled to zero: JobMissing (1m), then its SLOs' absent pages (2m), then RevenueDrop an hour later,
    each with its ladder. Before JobMissing, JobDown (up == 0) could not see it: two pages, the second an hour on."""
    url, sink = paging_alertmanager
    missing, pages, drop = _job_missing(), [_alert(name) for name in API_PAGES], _revenue_drop()
    post(url, missing)
    assert until(lambda: bool(_notified(sink, ONCALL)))
    post(url, missing, *pages, *(_level(alert, number) for alert in (missing, *pages) for number in (1, 2, 3)))
    posted = post(url, missing, *pages, drop,
                  *(_level(alert, number) for alert in (missing, *pages, drop) for number in (1, 2, 3)))
    quiet_since(posted)
    for receiver in (ONCALL, "email_team_lead", "email_manager-slack_urgent", "email_director-webhook_pagerduty"):
        assert _notified(sink, receiver) == [["JobMissing"]], receiver
    assert len(_incidents(sink, "pagerduty_routing_key")) == 1, sink.pagerduty
    for labels in (*pages, drop):
        found = status(url, {**labels, "escalation_level": ""})
        assert found["state"] == "suppressed" and found["inhibitedBy"], (labels["alertname"], found)


def test_a_renamed_job_is_a_page_naming_it_and_another_jobs_missing_mutes_no_drop(
        alertmanager: tuple[str, Sink]) -> None:
    """The api scraped as api-v2: no SLO input is gone (they keep service="api"), JobMissing{job="api"} pages; the
    api's RevenueDrop (no revenue under job api any more) is muted by it. A real drop of the api beside another
    job's JobMissing pages."""
    url, sink = alertmanager
    posted = post(url, _job_missing(), _revenue_drop())
    assert until(lambda: bool(_notified(sink, ONCALL)))
    quiet_since(posted)
    with sink.lock:
        told = [alert["labels"] for body in sink.notifications for alert in body["alerts"]]
    assert told == [_job_missing()], told
    assert status(url, {**_revenue_drop(), "escalation_level": ""})["inhibitedBy"]
    assert_not_muted_by(url, sink, _job_missing("node"), _revenue_drop("shop"))
    assert _notified(sink, ONCALL).count(["RevenueDrop"]) == 1
