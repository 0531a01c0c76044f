"""Talking to a running live stack: inject faults, watch alert states in Prometheus, read what the sinks got."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import requests

from generator.core.bounded_http import json_answer
from generator.core.http_deadline import deadline_for, fetch
from generator.live.demo.faults import Fault
from generator.live.recording import Record, Recording
from generator.live.running import LiveStack
from generator.live.webhook_sink import FAIL_PATH, PAGERDUTY_ACCEPTED, PAGERDUTY_PATH
from generator.model import conventions

ACCEPTED = (200, PAGERDUTY_ACCEPTED)
"""What a sink answers a notification it takes (PagerDuty's events API answers 202)."""
LEVEL = conventions.ESCALATION_LEVEL_LABEL
ANSWER_BYTES = 16 * 2**20
"""Largest answer read from the stack: an instant query's vector or the alerts of the demo are a few KiB, a sink's
or the demo's answer a line."""
TIMEOUT = 10.0
"""Seconds to wait for a connection and each answer of the stack, which runs on this machine."""


def _call(method: str, url: str, **kwargs: Any) -> requests.Response:
    """A request to the stack: its body read within ANSWER_BYTES (BodyTooLarge past them), all of it within
    deadline_for(TIMEOUT), 20 s (DeadlinePassed past them)."""
    return fetch(method, url, deadline_for(TIMEOUT), ANSWER_BYTES, timeout=TIMEOUT, **kwargs)


class LiveClient:
    """One running stack, seen from outside: the way tests, benches and users drive it."""

    def __init__(self, stack: LiveStack) -> None:
        self.stack = stack
        self.webhooks = Recording(stack.webhook_record)
        """Every webhook, Slack and PagerDuty POST (failed attempts included, see `answered`)."""
        self.emails = Recording(stack.email_record)
        """Every email."""

    def _url(self, component: str, path: str) -> str:
        return self.stack.urls[component] + path

    def inject(self, fault: Fault, seconds: float | None = None, burn: bool = False, host: str = "") -> float:
        """Start a fault in the demo (a host fault on `host`, else the first); returns the time (time.time()) it
        started."""
        body: dict[str, Any] = {"burn": burn}
        if seconds:
            body["seconds"] = seconds
        if host:
            body["host"] = host
        _call("POST", self._url("demo", f"/faults/{fault.value}"), json=body).raise_for_status()
        return time.time()

    def clear(self, fault: Fault | None = None, host: str = "") -> float:
        """Stop one fault (on one host only, if given), or all; returns the time it stopped."""
        path = f"/faults/{fault.value}" if fault else "/faults"
        params = {"host": host} if host else {}
        _call("DELETE", self._url("demo", path), params=params).raise_for_status()
        return time.time()

    def break_receiver(self, path: str, status: int = 500) -> None:
        """Make the webhook sink answer `status` on a path, like a receiver that is down."""
        _call("POST", self._url("webhook-sink", FAIL_PATH), json={"path": path, "status": status}).raise_for_status()

    def heal_receiver(self, path: str) -> None:
        """Make a broken path answer 200 again."""
        _call("DELETE", self._url("webhook-sink", FAIL_PATH), params={"path": path}).raise_for_status()

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant PromQL query's result vector."""
        response = _call("GET", self._url("prometheus", "/api/v1/query"), params={"query": expr})
        response.raise_for_status()
        return list(json_answer(response)["data"]["result"])

    def alerts(self) -> list[dict[str, Any]]:
        """Pending and firing alerts in Prometheus."""
        response = _call("GET", self._url("prometheus", "/api/v1/alerts"))
        response.raise_for_status()
        return list(json_answer(response)["data"]["alerts"])

    def wait_alert(self, alertname: str, timeout: float, state: str = "firing", **labels: str) -> float:
        """Wait until Prometheus shows the alert in a state ("inactive": gone); returns when it was seen."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [a for a in self.alerts() if a["labels"].get("alertname") == alertname
                        and all(a["labels"].get(k) == v for k, v in labels.items())]
            if (state == "inactive" and not matching) or any(a["state"] == state for a in matching):
                return time.time()
            if time.monotonic() > deadline:
                raise AssertionError(f"{alertname}{labels} not {state} within {timeout}s: {matching}")
            time.sleep(0.05)

    def notified(self, path: str, alertname: str, timeout: float, status: str = "firing",
                 after: float = 0.0, **labels: str) -> Record:
        """The first notification delivered to path (a webhook, Slack or PagerDuty sink path) for the alert (or an
        escalation of it: escalation_level="N") since `after`."""
        return self.webhooks.wait_for(webhook_matches(path, alertname, status, after, labels), timeout)

    def mailed(self, to: str, alertname: str, timeout: float, status: str = "firing",
               after: float = 0.0, **labels: str) -> Record:
        """The first email to `to` about the alert (or an escalation of it) since `after`."""
        return self.emails.wait_for(email_matches(to, alertname, status, after, labels), timeout)


def title_of(record: Record) -> str:
    """The title a Slack message or a PagerDuty event shows ("" for Alertmanager's webhook JSON)."""
    body = record["body"]
    if record["path"].endswith(PAGERDUTY_PATH):
        summary = str((body.get("payload") or {}).get("summary", ""))
        return summary.partition(conventions.PAGE_SUMMARY_SEPARATOR)[0]
    attachments = body.get("attachments") or [{}]
    return slack_shown(str(attachments[0].get("title", "")))


def slack_shown(text: str) -> str:
    """Slack's text as Slack shows it: &lt;, &gt; and &amp; the characters they escape (&amp; last, so that &amp;lt;
    shows &lt;); obsgen's templates escape &, < and > in any value they write in Slack."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def status_of(record: Record) -> str:
    """firing or resolved, whichever integration's body it is."""
    body = record["body"]
    if record["path"].endswith(PAGERDUTY_PATH):
        return "resolved" if body.get("event_action") == "resolve" else "firing"
    if "status" in body:
        return str(body["status"])
    return "resolved" if title_of(record).startswith("[RESOLVED") else "firing"


def _shows(title: str, name: str, value: str) -> bool:
    if name == "severity":
        return value.upper() in title.split()
    if name == LEVEL:
        return f"(escalation level {value})" in title
    return f"{name}={value}" in title.split()


MORE_NAMES = re.compile(r" \+\d+ more(?: |$)")
"""Where a title counts the alert names past the first few it lists (obsgen.alertnames: "A B C +7 more")."""


def title_shows(title: str, alertname: str, labels: dict[str, str]) -> bool:
    """Whether a notification title names the alert (or counts it among the names it does not list: a group of many)
    and shows the labels (severity in capitals, the level)."""
    named = alertname in title.split() or MORE_NAMES.search(title) is not None
    return named and all(_shows(title, name, value) for name, value in labels.items())


def webhook_matches(path: str, alertname: str, status: str, after: float,
                    labels: dict[str, str]) -> Callable[[Record], bool]:
    """Predicate: a notification delivered on path about alertname (or its escalation) with these labels: labels of
    Alertmanager's webhook JSON, or the title of a Slack message or a PagerDuty event."""
    def match(record: Record) -> bool:
        if record["path"] != path or record["answered"] not in ACCEPTED or record["received"] < after \
                or status_of(record) != status:
            return False
        common = record["body"].get("commonLabels")
        if common is None:
            return title_shows(title_of(record), alertname, labels)
        return common.get("alertname") == alertname and all(common.get(k) == v for k, v in labels.items())
    return match


def email_matches(to: str, alertname: str, status: str, after: float,
                  labels: dict[str, str]) -> Callable[[Record], bool]:
    """Predicate: an email to `to` whose subject names the alert and its status, and whose subject or text shows
    these labels."""
    def match(record: Record) -> bool:
        subject, text = record["subject"], record["text"].split()
        return (to in record["rcpt_tos"] and record["received"] >= after and f"[{status.upper()}" in subject
                and alertname in subject.split()
                and all(_shows(subject, name, value) or f"{name}={value}" in text for name, value in labels.items()))
    return match
