"""How an alert's expected behaviour is written and turned into promtool checks.

A behaviour is a list of windows of minutes in which the alert is firing at every evaluation, or at none.
Checks read the ALERTS series the rules write during the test, so one promtool run checks every minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    """Firing (or not) at every evaluation from `start` to `end` minutes into the scenario."""

    firing: bool
    start: int
    end: int

    def __str__(self) -> str:
        return f"{'firing' if self.firing else 'silent'} {_clock(self.start)}-{_clock(self.end)}"


Behaviour = tuple[Window, ...]


def _clock(minute: int) -> str:
    day, rest = divmod(minute, 24 * 60)
    return f"d{day + 1} {rest // 60:02d}:{rest % 60:02d}" if day else f"{rest // 60:02d}:{rest % 60:02d}"


def silent(until: int, start: int = 0) -> Window:
    """Never firing between the two minutes."""
    return Window(False, start, until)


def firing(start: int, end: int) -> Window:
    """Firing at every evaluation between the two minutes."""
    return Window(True, start, end)


def checks(alert: str, behaviour: Behaviour, step: int, matchers: str = "") -> list[dict[str, Any]]:
    """promtool promql_expr_test entries: the alert (its series matching `matchers`, such as `job="x"`) has a
    firing sample at every evaluation of a firing window (ranges include both ends), and none in a silent one."""
    selector = ",".join(filter(None, (f'alertname="{alert}"', 'alertstate="firing"', matchers)))
    tests = []
    for window in behaviour:
        span = window.end - window.start
        expected = [{"labels": "{}", "value": span // step + 1}] if window.firing else []
        tests.append({"expr": f"sum(count_over_time(ALERTS{{{selector}}}[{span}m]))", "eval_time": f"{window.end}m",
                      "exp_samples": expected})
    return tests
