"""A second TracingPolicy (XR002) is reported where a duplicate name (XR001) is: at the definition in the more
recently edited file, naming the older. newuser53 D5: a second team's `TracingPolicy` in payments.py was reported
at the first team's tracing.py ('a second TracingPolicy; the first is at payments.py'), as payments.py sorts first.

The file modification times are set: two files written one after the other may share one (the kernel's clock
tick), and of equal times the order would be the paths'."""

from __future__ import annotations

import os
import time
from pathlib import Path

from generator.build import compile_definitions
from tests.checks.test_cases import project_with

TRACING = """
from generator.model import TracingPolicy
TRACING = TracingPolicy(default_ratio=0.1)
"""
MINE = """
from generator.model import TracingPolicy
PAYMENTS_TRACING = TracingPolicy(default_ratio=0.5)
"""


def _found(tmp_path: Path, newer: str) -> list[str]:
    definitions = project_with(tmp_path, {"tracing.py": TRACING, "payments.py": MINE})
    hour_ago = time.time() - 3600
    for name in ("tracing.py", "payments.py"):
        os.utime(definitions / name, (hour_ago, hour_ago + (60 if name == newer else 0)))
    report = compile_definitions(definitions).report
    return [f"{Path(p.location.file).name}:{p.location.line}: {p.message.replace(str(definitions) + '/', '')}"
            for p in report.problems if p.code == "XR002"]


def test_a_second_tracing_policy_is_reported_in_the_newer_file_whichever_sorts_first(tmp_path: Path) -> None:
    assert _found(tmp_path / "a", newer="payments.py") == [
        "payments.py:3: a second TracingPolicy; the first is at tracing.py:3"]
    assert _found(tmp_path / "b", newer="tracing.py") == [
        "tracing.py:3: a second TracingPolicy; the first is at payments.py:3"]
