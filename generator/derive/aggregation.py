"""Expansion of an AggregationPolicy into level:metric:operation recording rules."""

from __future__ import annotations

from generator.core.duration import parse_seconds
from generator.model.conventions import aggregation_group
from generator.model.metrics import Aggregation, AggregationPolicy, Metric, MetricType, RecordingRule
from generator.model.project import Project


def group_interval(window: str) -> str:
    """Evaluation interval for rules over a window: long windows need not be evaluated every scrape."""
    seconds = parse_seconds(window)
    if seconds <= 300:
        return ""
    return "1m" if seconds <= 3600 else "5m"


def group_intervals(project: Project) -> dict[str, str]:
    """The rule groups evaluated at an interval of their own, by name: the aggregation policies' over long windows
    (group_interval). Every other group of the project's is evaluated at the Stack's evaluation_interval. Computed
    once per project, shared."""
    return project.derived(group_intervals, lambda: {
        aggregation_group(policy.name, window): interval
        for policy in project.all(AggregationPolicy) for window in policy.windows
        if (interval := group_interval(window))})


def _gauge_expr(metric: Metric, fn: Aggregation, by: str, window: str) -> str:
    quantile = fn.quantile
    if quantile is None:
        return f"{fn.value} by ({by}) ({fn.value}_over_time({metric.name}[{window}]))"
    return f"quantile by ({by}) ({quantile:g}, quantile_over_time({quantile:g}, {metric.name}[{window}]))"


def _histogram_expr(metric: Metric, fn: Aggregation, by: str, window: str) -> str | None:
    quantile = fn.quantile
    if quantile is not None:
        return f"histogram_quantile({quantile:g}, sum by ({by}, le) (rate({metric.name}_bucket[{window}])))"
    if fn is Aggregation.AVG:
        return (
            f"sum by ({by}) (rate({metric.name}_sum[{window}]))"
            f" / sum by ({by}) (rate({metric.name}_count[{window}]))"
        )
    return None  # a histogram cannot give the min or max of its observations


def expand(policy: AggregationPolicy) -> tuple[list[RecordingRule], list[str]]:
    """The recording rules a policy asks for, and notes on what Prometheus cannot compute."""
    rules: list[RecordingRule] = []
    notes: list[str] = []
    level = "_".join(policy.by)
    by = ", ".join(policy.by)
    for metric in policy.metrics:
        skipped = []
        for window in policy.windows:
            for fn in policy.functions:
                if metric.type is MetricType.HISTOGRAM:
                    expr = _histogram_expr(metric, fn, by, window)
                else:
                    expr = _gauge_expr(metric, fn, by, window)
                if expr is None:
                    skipped.append(f"{fn.value}_{window}")
                    continue
                rule = RecordingRule(
                    name=f"{level}:{metric.name}:{fn.value}_{window}",
                    expr=expr,
                    help=f"{fn.value} of {metric.name} over {window}, by {by}",
                    unit=metric.unit,
                    group=aggregation_group(policy.name, window),
                )
                rule._location = policy.location
                rules.append(rule)
        if skipped:
            notes.append(
                f"histogram {metric.name} has no min/max of observations: skipped {', '.join(skipped)} "
                "(use p50/p99 or record a gauge)"
            )
    return rules, notes
