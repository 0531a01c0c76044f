"""The shipped Alertmanager configuration on a real Alertmanager, for the inhibit rules' tests: every receiver a
webhook to a local sink, the routes waiting a second, not minutes, before and between notifications.

Alerts are posted as Prometheus sends them (the shipped rules' labels and the stack's external labels).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import requests
import yaml

from tests import servers

OUT = Path(__file__).resolve().parents[2] / "out"
SETTLE = 6.0
"""Seconds for a group to be flushed (group_wait and group_interval of 1 s here) and its webhook to arrive."""
QUIET = 3.0
"""Seconds after a post by which every notification it made due has come: its group's first flush (group_wait 1 s),
the next one (group_interval 1 s), and a second for the webhook on loopback and a busy machine."""


class Sink:
    """The labels of every alert notified as firing, and as resolved."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.firing: list[dict[str, str]] = []
        self.resolved: list[dict[str, str]] = []
        self.pagerduty: list[tuple[str, dict[str, Any]]] = []
        """PagerDuty Events API v2 events (with keep_pagerduty): the path posted to and the event."""
        self.notifications: list[dict[str, Any]] = []
        """Every webhook notification as Alertmanager posted it (receiver, status, groupKey, alerts)."""

    def seen(self, labels: dict[str, str], resolved: bool = False) -> bool:
        """Whether an alert with these labels (and maybe more) was notified as firing (or resolved)."""
        with self.lock:
            return any(labels.items() <= notified.items() for notified in (self.resolved if resolved else self.firing))


def _handler(sink: Sink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if "event_action" in body:  # PagerDuty's Events API v2 answers 202 with its dedup_key
                with sink.lock:
                    sink.pagerduty.append((self.path, body))
                servers.answer_json(self, 202, {"status": "success", "dedup_key": body.get("dedup_key")})
                return
            with sink.lock:
                sink.notifications.append(body)
                sink.firing += [a["labels"] for a in body["alerts"] if a["status"] == "firing"]
                sink.resolved += [a["labels"] for a in body["alerts"] if a["status"] == "resolved"]
            servers.answer_json(self, 200, {})

        def log_message(self, *args: Any) -> None:
            pass
    return Handler


def fast_route(route: dict[str, Any], group_wait: str = "1s") -> dict[str, Any]:
    waits = {"group_wait": group_wait, "group_interval": "1s"}
    timed = {key: wait for key, wait in waits.items() if key in route}
    return {**route, **timed, "routes": [fast_route(child, group_wait) for child in route.get("routes", [])]}


def _pagerduty_kept(receiver: dict[str, Any], sink: str) -> dict[str, Any]:
    """A receiver's PagerDuty integrations posting to the sink at /<its key file's name>/v2/enqueue, with that name
    as routing key (Alertmanager computes the dedup_key as it does for PagerDuty); its others a webhook to it."""
    kept = [{"url": f"{sink}/{Path(config['routing_key_file']).name}/v2/enqueue",
             "routing_key": Path(config["routing_key_file"]).name, "send_resolved": config.get("send_resolved", True)}
            for config in receiver.get("pagerduty_configs", [])]
    others = set(receiver) - {"name", "pagerduty_configs"}
    return {"name": receiver["name"], **({"pagerduty_configs": kept} if kept else {}),
            **({"webhook_configs": [{"url": sink}]} if others or not kept else {})}


@contextmanager
def shipped_alertmanager(workdir: Path, keep_pagerduty: bool = False, compiled: dict[str, Any] | None = None,
                         group_wait: str = "1s") -> Iterator[tuple[str, Sink]]:
    """A real Alertmanager with out/'s routes and inhibit rules (or those of the `compiled` alertmanager.yml),
    notifying a sink; yields its URL and the sink. Every receiver is one webhook to the sink; with keep_pagerduty,
    PagerDuty's integrations stay PagerDuty's (Sink.pagerduty). Every route waits group_wait before its first
    notification and 1 s between the next ones."""
    sink = Sink()
    with servers.serving(_handler(sink)) as webhook:
        document = compiled or yaml.safe_load((OUT / "alertmanager/alertmanager.yml").read_text())
        document["receivers"] = [_pagerduty_kept(receiver, webhook) if keep_pagerduty else
                                 {"name": receiver["name"], "webhook_configs": [{"url": webhook}]}
                                 for receiver in document["receivers"]]
        document.pop("templates", None)
        document["route"] = fast_route(document["route"], group_wait)
        config = workdir / "alertmanager.yml"
        config.write_text(yaml.safe_dump(document))
        with servers.alertmanager(config, workdir) as server:
            yield server.url, sink


def rule_alert(name: str, external_labels: dict[str, str]) -> dict[str, str]:
    """The labels of the alert of that name as Prometheus sends it: its rule's in out/ (the first of that name, not an
    escalation copy) and the stack's external labels."""
    for path in sorted((OUT / "prometheus/rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                labels = rule.get("labels") or {}
                if rule.get("alert") == name and "escalation_level" not in labels:
                    return {"alertname": name, **{k: str(v) for k, v in labels.items()}, **external_labels}
    raise AssertionError(f"no rule {name} in out/")


def post(url: str, *labelled: dict[str, str], resolved: bool = False, started_ago: float = 0.0) -> float:
    """Post alerts with these labels, firing or (resolved) ended now; with started_ago, as Prometheus re-sends an
    alert firing that many seconds (its startsAt is when it became active), else started now. Returns when it posted
    (time.time(), just before), for quiet_since."""
    posted = time.time()
    now = datetime.now(UTC)
    ends = {"endsAt": now.isoformat()} if resolved else {}
    starts = {"startsAt": (now - timedelta(seconds=started_ago)).isoformat()} if started_ago else {}
    alerts = [{"labels": labels, "annotations": {"summary": "probe"}, **starts, **ends} for labels in labelled]
    requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
    return posted


def status(url: str, labels: dict[str, str]) -> dict[str, Any]:
    """Alertmanager's status of the one alert with these labels (state, inhibitedBy)."""
    found = requests.get(f"{url}/api/v2/alerts", params={"filter": [f'{k}="{v}"' for k, v in labels.items()]},
                         timeout=10).json()
    assert len(found) == 1, found
    return dict(found[0]["status"])


def until(condition: Callable[[], bool], timeout: float = SETTLE, poll: float = 0.1) -> bool:
    """Whether the condition came true within the timeout, asked every `poll` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def quiet_since(posted: float) -> None:
    """Wait until QUIET after the post: a notification it made due that has not come by then is not coming."""
    time.sleep(max(0.0, posted + QUIET - time.time()))


def assert_not_muted_by(url: str, sink: Sink, cause: dict[str, str], target: dict[str, str]) -> None:
    """Posted with a cause another inhibit rule's source resembles, the target is notified, inhibited by nothing."""
    post(url, cause, target)
    assert until(lambda: sink.seen(target)), f"{target} was not notified beside {cause}"
    assert status(url, target)["inhibitedBy"] == []


def assert_muted_until_resolved(url: str, sink: Sink, cause: dict[str, str], muted: dict[str, str], posted: float,
                                selector: dict[str, str] | None = None) -> None:
    """Both firing since `posted`: `muted` (found in Alertmanager by `selector`, its labels by default) is inhibited
    and, QUIET after the post, still not told; once `cause` resolves it is told and active."""
    found = status(url, selector or muted)
    assert found["state"] == "suppressed" and found["inhibitedBy"], found
    quiet_since(posted)  # its group's first flushes have passed: still not told
    assert not sink.seen(muted)

    post(url, cause, resolved=True)  # the cause is over, the muted alert still fires: now it is news
    assert until(lambda: sink.seen(muted)), f"{muted['alertname']} was not notified once {cause['alertname']} resolved"
    assert status(url, selector or muted)["state"] == "active"
