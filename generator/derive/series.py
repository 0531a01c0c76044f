"""The series a project can read: what its metrics export, its rules record (Loki's ruler included, which
remote-writes its recording rules to Prometheus), and what Prometheus itself writes."""

from __future__ import annotations

from generator.model import Dashboard, LogRecordingRule, Metric, RuleSet
from generator.model.project import Project

# Series every Prometheus has without anybody exporting them.
SYNTHETIC_SERIES = frozenset(
    {
        "up",
        "ALERTS",
        "ALERTS_FOR_STATE",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    }
)


def defined_series(project: Project) -> dict[str, Metric | None]:
    """Every series name some source produces, with the metric family it belongs to: computed once per project
    (checks, dashboards and the demo all ask), shared, so never changed by a caller."""
    return project.derived(defined_series, lambda: _defined_series(project))


def metric_families(project: Project) -> dict[str, Metric]:
    """The series names a declared Metric produces, each with that Metric (defined_series without the recorded and
    synthetic ones): computed once per project, shared."""
    return project.derived(metric_families, lambda: {
        name: metric for name, metric in defined_series(project).items() if metric is not None})


def _defined_series(project: Project) -> dict[str, Metric | None]:
    series: dict[str, Metric | None] = dict.fromkeys(SYNTHETIC_SERIES)
    for metric in project.metrics.values():
        for name in metric.series_names():
            series[name] = metric
    for name in project.recording_rules:
        series[name] = None
    for log_rule in project.all(LogRecordingRule):
        series.setdefault(log_rule.name, None)
    for rule_set in project.all(RuleSet):
        for name in (*rule_set.external_series, *(record.name for record in rule_set.records())):
            series.setdefault(name, None)
    for dashboard in project.all(Dashboard):
        for name in dashboard.external_series:
            series.setdefault(name, None)
    return series
