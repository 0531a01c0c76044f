"""An expression's result has the labels Prometheus would give it (the demo draws each recorded series so): one
series for `sum(...)`, one per value of a `by` label, the matched labels of `on`, a side's labels otherwise, and the
rule's static labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import compile_definitions
from generator.derive.result_labels import OPEN, Labels, expression_labels, possible_labels, recorded_labels
from generator.live.demo_bounds import watched_bounds
from generator.model.project import Project
from tests.checks.test_cases import project_with


def _metric_labels(series: str) -> Labels | None:
    return {"http_requests_total": ("service", "endpoint", "status")}.get(series)


@pytest.mark.parametrize(("expr", "labels"), [
    ('sum(rate(http_requests_total{status=~"5.."}[5m]))', ()),
    ("sum by (service) (rate(http_requests_total[5m]))", ("service",)),
    ("sum without (status) (rate(http_requests_total[5m]))", ("job", "instance", "service", "endpoint")),
    ("rate(http_requests_total[5m]) * 100", ("job", "instance", "service", "endpoint", "status")),
    ('rate({__name__="http_requests_total"}[5m]) * 100', ("job", "instance", "service", "endpoint", "status")),
    ("sum by (service, le) (rate(x_bucket[5m])) / on (service) group_left sum by (service) (rate(y[5m]))",
     ("service", "le")),
    ("histogram_quantile(0.95, sum by (le, service) (rate(x_bucket[5m])))", ("service",)),
    ("a / on (job) b", ("job",)),
    ("a / ignoring (instance) b", ("job",)),
    ("topk(3, http_requests_total)", ("job", "instance", "service", "endpoint", "status")),
    ("vector(0.999)", ()),
    ('label_replace(up, "host", "$1", "instance", "(.*)")', ("job", "instance", "host")),
])
def test_the_labels_of_an_expression(project: Project, expr: str, labels: Labels) -> None:
    assert expression_labels(project, expr, _metric_labels) == labels


def test_a_recorded_series_has_its_rules_static_labels_with_their_values(project: Project) -> None:
    # (sum(rate(...{service="api"}[30m]))) / (sum(rate(...[30m]))), labelled service="checkout", slo="availability"
    names, static = recorded_labels(project, "slo:checkout_availability_sli_error:ratio_rate30m", _metric_labels)
    assert set(names) == {"service", "slo"} and static == {"service": "checkout", "slo": "availability"}
    # a ratio of two recorded series keeps what they carry
    names, static = recorded_labels(project, "slo:checkout_availability_sli_error:ratio_rate5m", _metric_labels)
    assert set(names) == {"service", "slo"} and static == {"service": "checkout", "slo": "availability"}


def test_rules_that_read_each_other_end_the_walks(tmp_path: Path) -> None:
    definitions = project_with(tmp_path, {"loop.py": """
        from generator.model import Alert, RecordingRule
        from ._alert import VALID
        A = RecordingRule(name="job:a:sum", expr="sum by (job) (job:b:sum) or sum by (job) (up)")
        B = RecordingRule(name="job:b:sum", expr="job:a:sum * 2")
        LOW = Alert(**VALID | {"name": "ALow", "expr": "job:a:sum < 0.5 * job:a:sum offset 1w"})
    """})
    project = compile_definitions(definitions).project
    assert project is not None and "ALow" in project.alerts
    assert recorded_labels(project, "job:a:sum", _metric_labels) == (("job",), {})
    assert "ALow" not in watched_bounds(project).alerts  # the walk through the loop ends, finding no series


@pytest.mark.parametrize(("expr", "labels"), [
    ("sum by (job, cluster) (sum by (job) (rate(requests_total[5m])))", ("job",)),  # no cluster left to keep
    ('absent(requests_total{job="api", instance=~"a.*"})', ("job",)),
    ('absent_over_time(node_load1{job="node"}[5m])', ("job",)),
    ('count_values without (instance) ("version", node_load1)', ("job", "version")),
    ("job:requests:rate5m or max by (instance) (node_load1)", ("job", "instance")),
    ("max by (pod) (kube_pod_info)", ("pod",)),
    ("kube_pod_info * on (pod) group_left (node) kube_node_info", ("job", "instance", "node", OPEN)),
    ("rate(ALERTS[5m])", ("job", "instance", OPEN)),
    ('{__name__="node_load1"} / on (job) max by (job) (node_load1)', ("job",)),  # named by its matcher
    ('max by (job) ({__name__="job:requests:rate5m"})', ("job",)),
])
def test_the_labels_an_expression_can_carry(tmp_path: Path, expr: str, labels: Labels) -> None:
    definitions = project_with(tmp_path, {"kube.py": """
        from generator.model import ImportedRecord, RuleGroup, RuleSet
        KUBE = RuleSet(name="kube", external_series=("kube_pod_info", "kube_node_info"), groups=(RuleGroup(
            name="g", rules=(ImportedRecord(name="pods", expr="count(kube_pod_info)"),)),))
    """})
    project = compile_definitions(definitions).project
    assert project is not None
    assert set(possible_labels(project, expr)) == set(labels)


def test_a_metric_can_carry_its_scrape_jobs_static_labels_and_its_buckets_le(tmp_path: Path) -> None:
    definitions = project_with(tmp_path, {"app.py": """
        from generator.model import Metric, MetricType, ScrapeJob, Source
        APP = ScrapeJob(name="app", source=Source.APPLICATION, targets=("app:8080",), labels={"tier": "web"})
        LATENCY = Metric(name="latency_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION,
                         help="Latency.", labels=("route",), buckets=(0.1, 1))
    """})
    project = compile_definitions(definitions).project
    assert project is not None
    assert set(possible_labels(project, "rate(latency_seconds_bucket[5m])")) == {"job", "instance", "tier", "route",
                                                                                 "le"}
    assert set(possible_labels(project, "rate(latency_seconds_count[5m])")) == {"job", "instance", "tier", "route"}
    # an imported rule, written for another deployment's scrape jobs, is known only by what it aggregates
    assert set(possible_labels(project, "rate(latency_seconds_count[5m])", deployed_here=False)) == {
        "job", "instance", OPEN}
    assert possible_labels(project, "sum by (namespace) (rate(latency_seconds_count[5m]))", False) == ("namespace",)
