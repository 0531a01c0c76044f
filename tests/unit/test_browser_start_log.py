"""Waiting for Chromium to listen reads its log as the log grows, each byte once and a chunk at a time, however big
the log is: a real process and a log file standing in for Chromium's (no browser needed)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from generator.core.process_log import LOG_CHUNK
from generator.preview.browser import Chromium
from generator.preview.source import PreviewError

BIG_LOG = 64 * 2**20
"""A log a noisy Chromium (GPU and font warnings, verbose logging) could leave; sparse, so the disk holds none of it."""
BOUNDED_MEMORY = 2**20
URL = "ws://127.0.0.1:40123/devtools/browser/2f1c9d1e-3b7a-4c3e-9d55-0c8f2a1b7e64"


def _bytes_read() -> int:
    """Bytes this thread has read with read() so far (the kernel's count)."""
    fields = dict(line.split(": ") for line in Path("/proc/thread-self/io").read_text().splitlines())
    return int(fields["rchar"])


def _starting(log: Path, argv: list[str]) -> Chromium:
    """A Chromium as its constructor leaves it before it connects: its process and its log (here a stand-in)."""
    browser = Chromium.__new__(Chromium)
    browser.log = log
    browser.process = subprocess.Popen(argv)
    return browser


def test_the_devtools_url_is_found_reading_a_big_log_once(tmp_path: Path) -> None:
    log = tmp_path / "chromium.log"
    log.write_bytes(b"")
    os.truncate(log, BIG_LOG)
    browser = _starting(log, [sys.executable, "-c", "import time; time.sleep(60)"])

    def listen() -> None:  # Chromium listening a while later, its line written across two of the search's reads
        time.sleep(0.5)
        with log.open("ab") as file:
            file.write(b"x" * (LOG_CHUNK - 20) + b"\nDevTools listening on ")
            file.flush()
            time.sleep(0.2)
            file.write(f"{URL}\n".encode())

    writer = threading.Thread(target=listen)
    try:
        writer.start()
        tracemalloc.start()
        before = _bytes_read()
        url = browser._devtools_url()
        read, peak = _bytes_read() - before, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        writer.join()
        browser.process.kill()
        browser.process.wait()
    assert url == URL
    assert read < BIG_LOG + 4 * LOG_CHUNK, f"the polls read {read / 2**20:.0f} MiB of a {BIG_LOG / 2**20:.0f} MiB log"
    assert peak < BOUNDED_MEMORY, f"polling took {peak / 2**20:.1f} MiB"


def test_a_failed_start_reports_the_end_of_a_big_log(tmp_path: Path) -> None:
    log = tmp_path / "chromium.log"
    log.write_bytes(b"")
    os.truncate(log, BIG_LOG)
    with log.open("ab") as file:
        file.write(b"\nnoise\nERROR: Missing X server or $DISPLAY\n")
    browser = _starting(log, [sys.executable, "-c", "raise SystemExit(1)"])
    browser.process.wait()
    tracemalloc.start()
    try:
        with pytest.raises(PreviewError) as failure:
            browser._devtools_url()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(failure.value).endswith("noise\nERROR: Missing X server or $DISPLAY\n")
    assert len(str(failure.value)) < 2000 and peak < BOUNDED_MEMORY, f"reporting took {peak / 2**20:.1f} MiB"
