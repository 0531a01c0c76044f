"""What the sinks received, one JSON object per line: appended by a sink, read by tests and benches."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.core.untrusted import FileError, json_lines

Record = dict[str, Any]
MAX_RECORD_BYTES = 64 * 2**20
"""Largest record file read: a notification takes 1-4 KiB, so 16,000 or more; `obsgen up` starts a new one."""


class Recorder:
    """Appends records to a JSONL file, one complete line per write, from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def append(self, record: Record) -> None:
        """Write one record, stamped with the wall-clock time it arrived."""
        line = json.dumps({"received": time.time(), **record}, sort_keys=True) + "\n"
        with self._lock, self.path.open("a") as file:
            file.write(line)


class Recording:
    """The records a sink has written so far: each look parses only the lines written since the last one (a wait
    looks every 50 ms), and starts over when the file was replaced or cut."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._parsed: list[Record] = []
        self._consumed = 0
        """Bytes of the file's complete lines parsed so far."""
        self._file: tuple[int, int] | None = None
        """The device and inode of the file they were read from."""

    def records(self) -> list[Record]:
        """Every complete record, oldest first; FileError (core.untrusted) at a line that is not one, or when the
        file is over MAX_RECORD_BYTES or not a regular file."""
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return []
        if not stat.S_ISREG(status.st_mode):
            raise FileError(self.path, "not a regular file")
        if status.st_size > MAX_RECORD_BYTES:
            raise FileError(self.path, f"{status.st_size} is over the limit of {MAX_RECORD_BYTES} obsgen reads "
                                       "from this file")
        if (status.st_dev, status.st_ino) != self._file or status.st_size < self._consumed:
            self._parsed, self._consumed, self._file = [], 0, (status.st_dev, status.st_ino)
        with self.path.open("rb") as file:
            file.seek(self._consumed)
            data = file.read(MAX_RECORD_BYTES - self._consumed)
        records = json_lines(self.path, data, len(self._parsed) + 1)
        line = next((number for number, record in enumerate(records, len(self._parsed) + 1)
                     if not isinstance(record, dict)), 0)
        if line:
            raise FileError(self.path, "not a record: each line is one JSON object", line)
        self._parsed += records
        self._consumed += data.rfind(b"\n") + 1
        return list(self._parsed)

    def wait_for(self, predicate: Callable[[Record], bool], timeout: float, poll: float = 0.05) -> Record:
        """The first record matching predicate, waiting up to timeout seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            for record in self.records():
                if predicate(record):
                    return record
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing matching in {self.path} within {timeout}s; "
                                     f"{len(self.records())} records: {summary(self.records())}")
            time.sleep(poll)


def summary(records: list[Record]) -> list[str]:
    """One short line per record, for failure messages."""
    lines = []
    for record in records[-20:]:
        if "body" in record:
            body = record["body"]
            what = (body.get("commonLabels", {}).get("alertname") or (body.get("payload") or {}).get("summary")
                    or (body.get("attachments") or [{}])[0].get("title"))
            status = body.get("status", body.get("event_action", ""))
            lines.append(f"{record['path']} {record.get('answered')} {status} {what}")
        else:
            lines.append(f"mail to {','.join(record.get('rcpt_tos', []))}: {record.get('subject')}")
    return lines
