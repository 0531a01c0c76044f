"""What a job thread frees goes back to the system: the exporter's memory follows its working set, not its peak."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.exporter.allocator import LIBC

BURST = """
import threading
from generator.exporter import allocator

def rss_mb():
    return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith("VmRSS"))

allocator.limit_arenas()
kept = []
def job():  # 50 MB in blocks below the mmap threshold, freed except the last: the arena cannot shrink alone
    blocks = [bytearray(64 * 1024) for _ in range(800)]
    kept.append(blocks[-1])
worker = threading.Thread(target=job)
worker.start()
worker.join()
before = rss_mb()
allocator.release_free_memory()
print(before, rss_mb())
"""


def test_memory_a_job_thread_freed_is_returned_after_the_run() -> None:
    if LIBC is None:
        pytest.skip("not glibc: its per-thread arenas are what this hands back")
    before, after = map(int, subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True,
                                            check=True).stdout.split())
    print(f"\nRSS after a 50 MB burst freed in a job thread: {before} MB, after release: {after} MB")
    assert before - after >= 30
