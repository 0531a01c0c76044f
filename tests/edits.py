"""Edits tests make to a file, as a user's (a definition changed) or a fault (a built file broken), and CpuHigh's
condition as the shipped definitions write it.

An edit names text that must stand in the file exactly once: when the definitions move on (CpuHigh became a window,
ApiErrorLogsHigh an f-string) an edit that finds nothing fails the test at once, never a silent no-op that leaves
the "edited" file as it was. Tests that assert CpuHigh's built expression read it from definitions/alerts.py, so a
change to the alert does not leave them asserting its old text.
"""

from __future__ import annotations

from pathlib import Path

from definitions.alerts import CPU_HIGH as CPU_HIGH_ALERT

CPU_HIGH = CPU_HIGH_ALERT.expr
"""CpuHigh's expression, as definitions/alerts.py writes it and the build writes it into alerts.yml."""
CPU_HIGH_THRESHOLD = 90
CPU_HIGH_SOURCE = f'[5m]) > {CPU_HIGH_THRESHOLD}"'
"""Where CpuHigh's threshold stands in definitions/alerts.py's source (the end of its expr's f-string)."""


def replaced(text: str, old: str, new: str, where: str = "the text", first: bool = False) -> str:
    """text with old, which must stand in it exactly once, replaced by new; with first, old may stand there more
    than once (a line of a built file), and the first is replaced."""
    found = text.count(old)
    assert found == 1 or (first and found), f"{old!r} stands {found} times in {where}"
    return text.replace(old, new, 1)


def edit(path: Path, old: str, new: str, first: bool = False) -> None:
    """old, which must stand in the file at path exactly once (with first, at least once), replaced by new there."""
    path.write_text(replaced(path.read_text(), old, new, str(path), first))


def cpu_high(threshold: float) -> str:
    """CpuHigh's expression with another threshold."""
    return replaced(CPU_HIGH, f"> {CPU_HIGH_THRESHOLD}", f"> {threshold:g}")


def set_cpu_high_threshold(definitions: Path, threshold: float) -> None:
    """CpuHigh's threshold changed in the definitions/ directory at definitions, as a user edits it."""
    edit(definitions / "alerts.py", CPU_HIGH_SOURCE, f'[5m]) > {threshold:g}"')
