"""Talking to a running live stack: inject faults, watch alert states in Prometheus, read what the sinks got."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from generator.live.demo.faults import Fault
from generator.live.recording import Record, Recording
from generator.live.stack import LiveStack
from generator.live.webhook_sink import FAIL_PATH

DELIVERED = 200


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

    def inject(self, fault: Fault, seconds: float | None = None, burn: bool = False) -> float:
        """Start a fault in the demo; returns the time (time.time()) it started."""
        body: dict[str, Any] = {"burn": burn} | ({"seconds": seconds} if seconds else {})
        requests.post(self._url("demo", f"/faults/{fault.value}"), json=body, timeout=10).raise_for_status()
        return time.time()

    def clear(self, fault: Fault | None = None) -> float:
        """Stop one fault, or all; returns the time it stopped."""
        path = f"/faults/{fault.value}" if fault else "/faults"
        requests.delete(self._url("demo", path), timeout=10).raise_for_status()
        return time.time()

    def break_receiver(self, path: str, status: int = 500) -> None:
        """Make the webhook sink answer `status` on a path, like a receiver that is down."""
        requests.post(self._url("webhook-sink", FAIL_PATH), json={"path": path, "status": status},
                      timeout=10).raise_for_status()

    def heal_receiver(self, path: str) -> None:
        """Make a broken path answer 200 again."""
        requests.delete(self._url("webhook-sink", FAIL_PATH), params={"path": path}, timeout=10).raise_for_status()

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant PromQL query's result vector."""
        response = requests.get(self._url("prometheus", "/api/v1/query"), params={"query": expr}, timeout=10)
        response.raise_for_status()
        return list(response.json()["data"]["result"])

    def alerts(self) -> list[dict[str, Any]]:
        """Pending and firing alerts in Prometheus."""
        response = requests.get(self._url("prometheus", "/api/v1/alerts"), timeout=10)
        response.raise_for_status()
        return list(response.json()["data"]["alerts"])

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
        """The first webhook delivered to path for the alert (or escalation of it) since `after`."""
        return self.webhooks.wait_for(webhook_matches(path, alertname, status, after, labels), timeout)

    def mailed(self, to: str, alertname: str, timeout: float, status: str = "firing",
               after: float = 0.0, **labels: str) -> Record:
        """The first email to `to` about the alert (or escalation of it) since `after`."""
        return self.emails.wait_for(email_matches(to, alertname, status, after, labels), timeout)


def webhook_matches(path: str, alertname: str, status: str, after: float,
                    labels: dict[str, str]) -> Callable[[Record], bool]:
    """Predicate: a delivered webhook on path about alertname (or its escalation) with these labels."""
    def match(record: Record) -> bool:
        body, common = record["body"], record["body"].get("commonLabels", {})
        return (record["path"] == path and record["answered"] == DELIVERED and record["received"] >= after
                and body.get("status") == status and alertname in (common.get("alertname"),
                                                                   common.get("escalated_alertname"))
                and all(common.get(k) == v for k, v in labels.items()))
    return match


def email_matches(to: str, alertname: str, status: str, after: float,
                  labels: dict[str, str]) -> Callable[[Record], bool]:
    """Predicate: an email to `to` whose subject names the alert and status, and whose body shows the labels."""
    def match(record: Record) -> bool:
        subject = record["subject"]
        return (to in record["rcpt_tos"] and record["received"] >= after and alertname in subject.split()
                and f"[{status.upper()}" in subject
                and all(f"{k}={v}" in record["text"] for k, v in labels.items()))
    return match
