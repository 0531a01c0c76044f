"""The demo's prometheus-client registry, built from the application metrics the definitions declare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary

from generator.model import Metric, MetricType, Source
from generator.model.project import Project

GENERIC_LABEL_VALUE = "demo"


class DemoMetrics:
    """One prometheus-client metric per application Metric of the project, looked up by family name."""

    def __init__(self, project: Project, driven: frozenset[str]) -> None:
        self.registry = CollectorRegistry()
        self.declared: dict[str, Metric] = {
            m.name: m for m in project.metrics.values() if m.source is Source.APPLICATION
        }
        self._metrics: dict[str, Any] = {name: self._create(metric) for name, metric in self.declared.items()}
        for name, metric in self.declared.items():
            for labels in metric.initial_labels:  # at 0 before the first request, as the definitions promise
                self._metrics[name].labels(**labels)
        self.undriven = sorted(set(self.declared) - driven)
        """Declared families the demo has no behaviour for; kept alive with placeholder values."""

    def _create(self, metric: Metric) -> Any:
        common: dict[str, Any] = {"documentation": metric.help, "labelnames": metric.labels,
                                  "registry": self.registry}
        if metric.type is MetricType.COUNTER:
            return Counter(metric.name.removesuffix("_total"), **common)
        if metric.type is MetricType.GAUGE:
            return Gauge(metric.name, **common)
        if metric.type is MetricType.HISTOGRAM:
            return Histogram(metric.name, buckets=metric.buckets or Histogram.DEFAULT_BUCKETS, **common)
        return Summary(metric.name, **common)

    def child(self, name: str, labels: dict[str, str]) -> Any | None:
        """The labelled child of a family, or None when the definitions declare no such family or labels."""
        metric = self.declared.get(name)
        if metric is None or set(metric.labels) != set(labels):
            return None
        family = self._metrics[name]
        return family.labels(**labels) if labels else family

    def inc(self, name: str, amount: float, labels: dict[str, str] | None = None) -> None:
        """Add to a counter, if declared."""
        child = self.child(name, labels or {})
        if child is not None and amount > 0:
            child.inc(amount)

    def set(self, name: str, value: float, labels: dict[str, str] | None = None) -> None:
        """Set a gauge, if declared."""
        child = self.child(name, labels or {})
        if child is not None:
            child.set(value)

    def observe(self, name: str, values: Iterable[float], labels: dict[str, str] | None = None) -> None:
        """Observe values into a histogram or summary, if declared."""
        child = self.child(name, labels or {})
        if child is not None:
            for value in values:
                child.observe(value)

    def drive_undriven(self, seconds: float) -> None:
        """Keep metrics nothing else drives alive: a definitions file may add metrics the demo knows nothing of."""
        for name in self.undriven:
            metric = self.declared[name]
            labels = dict.fromkeys(metric.labels, GENERIC_LABEL_VALUE)
            child = self._metrics[name].labels(**labels) if labels else self._metrics[name]
            if metric.type is MetricType.COUNTER:
                child.inc(seconds)
            elif metric.type is MetricType.GAUGE:
                child.set(1)
            else:
                buckets = metric.buckets or (1.0,)
                child.observe(buckets[len(buckets) // 2])
