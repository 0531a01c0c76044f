"""The demo draws each recorded series with the labels Prometheus would give it: one series for `sum(...)`, one
per value of a `by` label, the matched labels of `on`, a side's labels otherwise, and the rule's static labels."""

from __future__ import annotations

import pytest

from generator.live.demo_labels import Labels, expression_labels, recorded_labels
from generator.model.project import Project


def _metric_labels(series: str) -> Labels | None:
    return {"http_requests_total": ("service", "endpoint", "status")}.get(series)


@pytest.mark.parametrize(("expr", "labels"), [
    ('sum(rate(http_requests_total{status=~"5.."}[5m]))', ()),
    ("sum by (service) (rate(http_requests_total[5m]))", ("service",)),
    ("sum without (status) (rate(http_requests_total[5m]))", ("job", "instance", "service", "endpoint")),
    ("rate(http_requests_total[5m]) * 100", ("job", "instance", "service", "endpoint", "status")),
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
