"""How an alert's expected behaviour is written and turned into promtool checks.

A behaviour is a list of windows of minutes in which the alert is firing at every evaluation, or at none.
Checks read the ALERTS series the rules write during the test, so one promtool run checks every minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.model.conventions import NOT_ESCALATION


@dataclass(frozen=True)
class Window:
    """Firing (or not) at every evaluation from `start` to `end` minutes into the scenario."""

    firing: bool
    start: int
    end: int | None
    """None: the end of the scenario."""

    def __str__(self) -> str:
        end = "end" if self.end is None else _clock(self.end)
        return f"{'firing' if self.firing else 'silent'} {_clock(self.start)}-{end}"


Behaviour = tuple[Window, ...]


def _clock(minute: int) -> str:
    day, rest = divmod(minute, 24 * 60)
    return f"d{day + 1} {rest // 60:02d}:{rest % 60:02d}" if day else f"{rest // 60:02d}:{rest % 60:02d}"


def silent(until: int | None = None, start: int = 0) -> Window:
    """Never firing between the two minutes (to the end of the scenario unless said)."""
    return Window(False, start, until)


def firing(start: int, end: int | None = None) -> Window:
    """Firing at every evaluation between the two minutes."""
    return Window(True, start, end)


def checks(alert: str, behaviour: Behaviour, step: int, minutes: int, matchers: str = "") -> list[dict[str, Any]]:
    """promtool promql_expr_test entries: the alert (its series matching `matchers`, such as `job="x"`) has a
    firing sample at every evaluation of a firing window (ranges include both ends), and none in a silent one.
    Escalation copies of the alert are not counted: their levels are the escalation tests' business."""
    own = (f'alertname="{alert}"', 'alertstate="firing"', NOT_ESCALATION, matchers)
    selector = ",".join(filter(None, own))
    tests = []
    for window in behaviour:
        end = minutes if window.end is None else window.end
        span = end - window.start
        expected = [{"labels": "{}", "value": span // step + 1}] if window.firing else []
        tests.append({"expr": f"sum(count_over_time(ALERTS{{{selector}}}[{span}m]))", "eval_time": f"{end}m",
                      "exp_samples": expected})
    return tests
