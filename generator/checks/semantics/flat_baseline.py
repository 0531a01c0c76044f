"""An alert compares a series with its own flat average over a day or more.

Business and traffic series have a daily and weekly rhythm: against the average of a whole day or week, every
quiet hour looks like a drop and every busy one like a surge, so the alert fires every night (or every evening)
with nothing broken, and during its first days the average covers only the days seen so far.

    Alert(expr="job:revenue:increase1h < 0.5 * avg_over_time(job:revenue:increase1h[7d])")  # fires every night
    Alert(expr="job:revenue:increase1h < 0.5 * job:revenue:increase1h_offset1w")            # same hour last week

Fix: compare with the same hour of an earlier day or week (`offset 1d`, `offset 1w`, recorded once), or with a
forecast band (obsgen_forecast_lower/upper), which follow the rhythm; add a minimum-traffic guard.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.shapes import comparisons, names
from generator.core.duration import format_seconds
from generator.core.errors import Level
from generator.core.promql import walk

CODE = "SM001"
NAME = "flat-baseline"
LEVEL = Level.WARNING
AVERAGES = frozenset({"avg_over_time", "quantile_over_time"})
DAY = 86400.0


def check(context: Context) -> Iterator[Finding]:
    for alert in context.project.alerts.values():
        for comparison in comparisons(alert.condition):
            for side, other in ((comparison.watched, comparison.other), (comparison.other, comparison.watched)):
                for node in walk(side):
                    if type(node).__name__ != "Call" or str(node.func.name) not in AVERAGES:
                        continue
                    matrix = node.args[-1]
                    if type(matrix).__name__ != "MatrixSelector" or matrix.vector_selector.offset:
                        continue
                    seconds = matrix.range.total_seconds()
                    series = str(matrix.vector_selector.name or "")
                    if seconds >= DAY and series in names(other):
                        yield Finding(alert, f"alert {alert.name} compares {series} with its flat "
                                             f"{format_seconds(seconds)} average: a daily rhythm makes every quiet "
                                             "hour look like a drop; compare with the same hour last week "
                                             "(offset 1w) or a forecast band", ("expr",))
