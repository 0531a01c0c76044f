"""The label values a demo series takes: those the project declares, before the demo's stock pools.

A project names its own label values: a Metric's `initial_labels` (the series it creates at start-up), the
`Service`s it traces (the `service` label), and the values its alerts and recording rules select with `label="v"`.
A demo drawn with stock values instead (`service` api and search) shows a user legends of services they do not
run, and leaves their own selectors (`http_requests_total{service="orders"}`, an SLO's input) selecting nothing:
its absent() alerts' panels then read ABSENT beside an SLI computed from the same selector. A stock value is kept
only where the declared ones miss a selector's regex (`status=~"5.."` when only "200" is declared), so the failing
part of a request counter still exists. Where no Metric or Service declares a label, its alerts' and rules' `=`
values are drawn beside the stock ones (an alert on `env="production"` otherwise never fired in the demo); a value
naming a failure in a share (`status_code="STATUS_CODE_ERROR"` of all spans) is drawn as a failing part
(demo_bounds._rule_shares), not as much as the stock value beside it.
"""

from __future__ import annotations

from generator.core.promql import MATCHER, facts
from generator.core.selector_regex import label_matches
from generator.model import Metric, Service
from generator.model.project import Project

POSITIVE = ("=", "=~")


def read_metrics(project: Project, source: str) -> list[Metric]:
    """The Metrics whose series a demo series comes from (source: a metric's name or a rule's expression)."""
    if source in project.metrics:
        return [project.metrics[source]]
    read = {selector.name for selector in facts(source).selectors}
    return [metric for metric in project.metrics.values() if read.intersection(metric.series_names())]


def label_values(project: Project, source: str, label: str, stock: tuple[str, ...]) -> tuple[str, ...]:
    """The values of `label` on the series of source: the declared ones (initial_labels, Service names for
    `service`, equality matchers on those series), each stock value only a selector's regex needs beside them;
    where no Metric or Service declares the label, the stock values and those its equality matchers select."""
    metrics = read_metrics(project, source)
    if not metrics:
        return stock
    declared = [labels[label] for metric in metrics for labels in metric.initial_labels if label in labels]
    if not declared and label == "service":
        declared = [service.name for service in project.all(Service)]
    names = {name for metric in metrics for name in metric.series_names()}
    wanted = _matchers(project, names, label)
    selected = [value for op, value in wanted if op == "=" and value]
    if not declared:  # the values selected beside the stock ones: mode="idle" alone would leave no busy CPU
        return tuple(dict.fromkeys([*stock, *selected]))
    declared += selected
    for op, value in wanted:
        if op == "=~" and not any(label_matches(op, value, have) for have in declared):
            declared += [have for have in stock if label_matches(op, value, have)][:1]
    return tuple(dict.fromkeys(declared))


def _matchers(project: Project, names: set[str], label: str) -> list[tuple[str, str]]:
    """(operator, value) of each positive matcher on `label` where the project's alerts and rules select names."""
    exprs = [alert.condition for alert in project.alerts.values()]
    exprs += [rule.expr for rule in project.recording_rules.values()]
    found = []
    for expr in exprs:
        for selector in facts(expr).selectors:
            if selector.name not in names:
                continue
            for written in selector.matchers:
                match = MATCHER.fullmatch(written)
                if match and match[1] == label and match[2] in POSITIVE:
                    found.append((match[2], match[3]))
    return found
