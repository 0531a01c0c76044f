"""SMTP sink standing in for the mail relay: accepts every message and records it to a JSONL file.

Run as `python -m generator.live.smtp_sink --port 2525 --record notifications/email.jsonl`.
"""

from __future__ import annotations

import argparse
import signal
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from generator.live.recording import Recorder
from generator.live.serve import listening


def _body(message: EmailMessage, *kinds: str) -> str:
    body = message.get_body(preferencelist=kinds)
    return str(body.get_content()) if body is not None else ""


class RecordingHandler:
    """aiosmtpd handler: every DATA becomes one record."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record sender, recipients, subject, text (plain, else HTML) and HTML of the message; always accept it."""
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.recorder.append({
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "to": str(message.get("To", "")),
            "text": _body(message, "plain", "html"),
            "html": _body(message, "html"),
        })
        return "250 Message accepted for delivery"


def controller(port: int, record: Path) -> Controller:
    """An SMTP server on 127.0.0.1:port (not started)."""
    return Controller(RecordingHandler(Recorder(record)), hostname="127.0.0.1", port=port)


def main(argv: list[str] | None = None) -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", type=Path, required=True, help="JSONL file to append messages to.")
    args = parser.parse_args(argv)
    smtp = controller(args.port, args.record)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    listening("smtp sink", args.port, smtp.start)
    try:
        stopped.wait()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
