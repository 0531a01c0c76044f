"""Whether a function of a text (a regex over untrusted text, mostly) runs in linear time, told by how its CPU time
grows with the text, never by a wall-clock bound: a text ten times longer takes about ten times the time when
linear, a hundred times when quadratic (each start in a run rescanning the run)."""

from __future__ import annotations

import time
from collections.abc import Callable

TIMES = 10
"""How much longer the long text is than the short one."""
LINEAR = 30
"""The largest growth said linear: well above TIMES (a slower cache on the long text, a noisy CPU clock), well below
TIMES ** 2."""


def cpu_time(run: Callable[[str], object], text: str) -> float:
    """The least CPU time of one run(text), over at least three runs and 20 ms."""
    least, spent, runs = float("inf"), 0.0, 0
    while runs < 3 or spent < 0.02:
        start = time.process_time()
        run(text)
        took = time.process_time() - start
        least, spent, runs = min(least, took), spent + took, runs + 1
    return max(least, 1e-7)


def growth(run: Callable[[str], object], text: Callable[[int], str], n: int = 1000) -> float:
    """How many times longer run takes on text(TIMES * n) than on text(n)."""
    return cpu_time(run, text(TIMES * n)) / cpu_time(run, text(n))
