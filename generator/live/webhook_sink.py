"""Webhook receiver standing in for Slack, PagerDuty and webhook endpoints: records every POST to a JSONL file.

Run as `python -m generator.live.webhook_sink --port 9099 --record notifications/webhook.jsonl`.
A path ending in /v2/enqueue plays PagerDuty's Events API v2: a body PagerDuty would refuse (no routing key, an
event action or severity it does not know, a trigger without summary or source) is answered 400 with the
errors, as PagerDuty answers, and recorded so. A path can be told to fail (`POST /-/fail {"path": "/webhook",
"status": 500}`) to play a broken receiver; `DELETE /-/fail?path=/webhook` heals it.
"""

from __future__ import annotations

import argparse
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.core.untrusted import load_json
from generator.live.recording import Recorder
from generator.live.serve import Handler, listening, serve_until_terminated

READY_PATH = "/-/ready"
FAIL_PATH = "/-/fail"
PAGERDUTY_PATH = "/v2/enqueue"
PAGERDUTY_ACTIONS = ("trigger", "acknowledge", "resolve")
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
PAGERDUTY_ACCEPTED = 202


def pagerduty_errors(body: Any) -> list[str]:
    """Why PagerDuty's Events API v2 would refuse an event ([] when it takes it)."""
    if not isinstance(body, dict):
        return ["the event is not a JSON object"]
    errors = []
    if not isinstance(body.get("routing_key"), str) or not body["routing_key"]:
        errors.append("routing_key is missing")
    action = body.get("event_action")
    if action not in PAGERDUTY_ACTIONS:
        errors.append(f"event_action {action!r} is not one of {', '.join(PAGERDUTY_ACTIONS)}")
    if action != "trigger" and not body.get("dedup_key"):
        errors.append(f"a {action} event needs the dedup_key of its incident")
    if action == "trigger":
        payload = body.get("payload")
        if not isinstance(payload, dict):
            return [*errors, "a trigger event needs a payload"]
        for field in ("summary", "source"):
            if not isinstance(payload.get(field), str) or not payload[field].strip():
                errors.append(f"payload.{field} is missing")
        if len(str(payload.get("summary", ""))) > 1024:
            errors.append("payload.summary is longer than 1024 characters")
        if payload.get("severity") not in PAGERDUTY_SEVERITIES:
            errors.append(f"payload.severity {payload.get('severity')!r} is not one of "
                          f"{', '.join(PAGERDUTY_SEVERITIES)}")
    return errors


def server(port: int, record: Path) -> ThreadingHTTPServer:
    """A webhook sink bound to 127.0.0.1:port, appending what it receives to record."""
    recorder = Recorder(record)
    failing: dict[str, int] = {}

    class WebhookHandler(Handler):
        def do_GET(self) -> None:
            if self.path == READY_PATH:
                self.reply(200, {"failing": failing})
            else:
                self.reply(404, {"error": "POST notifications to any path"})

        def do_POST(self) -> None:
            if self.path == FAIL_PATH:
                order = self.read_json()
                failing[order["path"]] = int(order.get("status", 500))
                self.reply(200, {"failing": failing})
                return
            raw = self.read_body()
            status = failing.get(self.path, 200)
            try:  # whoever posts it, within core.untrusted's bounds
                body = load_json(raw.decode() or "{}")
            except ValueError:  # not JSON, not UTF-8, or beyond the bounds: kept as it came
                body = {"raw": raw.decode(errors="replace")}
            if self.path.endswith(PAGERDUTY_PATH) and status == 200:
                errors = pagerduty_errors(body)
                status = 400 if errors else PAGERDUTY_ACCEPTED
                recorder.append({"path": self.path, "answered": status, "body": body, "errors": errors})
                self.reply(status, {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
                           if errors else {"status": "success", "message": "Event processed",
                                           "dedup_key": body.get("dedup_key")})
                return
            recorder.append({"path": self.path, "answered": status, "body": body})
            self.reply(status, {"recorded": status == 200})

        def do_DELETE(self) -> None:
            url = urlsplit(self.path)
            if url.path != FAIL_PATH:
                self.reply(404)
                return
            for path in parse_qs(url.query).get("path", list(failing)):
                failing.pop(path, None)
            self.reply(200, {"failing": failing})

    return ThreadingHTTPServer(("127.0.0.1", port), WebhookHandler)


def main(argv: list[str] | None = None) -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", type=Path, required=True, help="JSONL file to append notifications to.")
    args = parser.parse_args(argv)
    serve_until_terminated(listening("webhook sink", args.port, lambda: server(args.port, args.record)))


if __name__ == "__main__":
    main()
