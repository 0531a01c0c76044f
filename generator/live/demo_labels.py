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
(demo_bounds._rule_shares), not as much as the stock value beside it. label_sets draws every combination of a
series' values on each scrape target (the stock POOLS, a family's own FAMILY_POOLS, the Alertmanagers' URLs).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from generator.core.promql import MATCHER, facts
from generator.core.selector_regex import label_matches
from generator.model import LogStorage, Metric, Service
from generator.model.project import Project

POSITIVE = ("=", "=~")
POOLS = {
    "service": ("api", "search"), "endpoint": ("/api/search", "/api/checkout"), "method": ("GET",),
    "status": ("200", "500"), "code": ("200", "500"),
    "product": tuple(f"product-{i:02d}" for i in range(12)), "product_category": ("books", "games"),
    "user_segment": ("new", "returning"), "cache_type": ("redis", "local"), "result": ("hit", "miss"),
    "queue": ("emails", "indexing"), "integration": ("email", "slack", "webhook"), "rule_group": ("alerts", "plan"),
    "cpu": ("0", "1"),
    "mode": ("idle", "user"), "forecast": ("revenue_hourly", "disk_free"), "mountpoint": ("/", "/data"),
}
FAMILY_POOLS: dict[str, dict[str, tuple[str, ...]]] = {
    "node_filesystem_": {"device": ("/dev/sda1",), "fstype": ("ext4",)}, "node_disk_": {"device": ("sda",)},
    "node_network_": {"device": ("eth0",)},
    "grafana_http_": {"handler": ("/api/dashboards/uid/:uid", "/api/search"), "status_code": ("200", "500")},
    "obsgen_capacity_": {"forecast": ("memory_used", "disk_free")},
}
"""Values a family of a host's series has where a label means something else per family: a filesystem's device is
a partition and a NIC's an interface (one pool for both gave each mountpoint two devices, and a panel two lines
of the same name), Grafana's status is an HTTP code, where the collector's span metrics name an OTel one, and only
the forecasts with a capacity have a time to exhaustion."""


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


def alertmanager_urls(project: Project, source: str) -> tuple[str, ...]:
    """The `alertmanager` label values of a sender's series, as its notifier gives them (the URL it posts to): each
    of Stack.alertmanagers for Prometheus, each of LogStorage.alertmanager_url for Loki's ruler (source: a series
    name or expression)."""
    storage = project.all(LogStorage)[:1]
    bases = (storage[0].alertmanager_url.split(",") if storage and "loki_" in source
             else [f"http://{address}" for address in project.stack.alertmanagers])
    return tuple(f"{base.strip().rstrip('/')}/api/v2/alerts" for base in bases)


def label_sets(source: str, names: tuple[str, ...], jobs: list[tuple[str, str]],
                project: Project) -> Iterator[dict[str, str]]:
    """Every set of these labels on each scrape target, for the series of a metric (source: its name) or of a
    rule (source: its expression)."""
    family = next((pools for prefix, pools in FAMILY_POOLS.items() if prefix in source), {})
    pools = [family.get(name) or (alertmanager_urls(project, source) if name == "alertmanager" else
                                  label_values(project, source, name, POOLS.get(name, ("main",)))) for name in names]
    for job, instance in jobs or [("demo", "demo:9100")]:
        for values in itertools.product(*pools):
            yield {"job": job, "instance": instance, **dict(zip(names, values, strict=True))}
