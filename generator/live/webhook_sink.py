"""Webhook receiver standing in for Slack, PagerDuty and webhook endpoints: records every POST to a JSONL file.

Run as `python -m generator.live.webhook_sink --port 9099 --record notifications/webhook.jsonl`.
A path can be told to fail (`POST /-/fail {"path": "/webhook", "status": 500}`) to play a broken receiver;
`DELETE /-/fail?path=/webhook` heals it.
"""

from __future__ import annotations

import argparse
import json
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator.live.recording import Recorder
from generator.live.serve import Handler, serve_until_terminated

READY_PATH = "/-/ready"
FAIL_PATH = "/-/fail"


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
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = failing.get(self.path, 200)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"raw": raw.decode(errors="replace")}
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
    serve_until_terminated(server(args.port, args.record))


if __name__ == "__main__":
    main()
