"""prometheus_client collectors over the result cache: one for SQL business metrics, one for forecasts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from prometheus_client.metrics_core import Metric as Family
from prometheus_client.registry import Collector

from generator.exporter.cache import ResultCache, Sample
from generator.library.exporter import FORECAST_METRICS
from generator.model import BusinessMetric, Metric


def _family(metric: Metric, samples: Iterable[Sample]) -> Family:
    """A metric family with its declared help and type; counters carry their samples under name_total."""
    name = metric.name.removesuffix("_total") if metric.type == "counter" else metric.name
    family = Family(name, metric.help, metric.type.value)
    for sample in samples:
        family.add_sample(sample.family, dict(sample.labels), sample.value)
    return family


class BusinessCollector(Collector):
    """One family per declared business metric, with the rows of its last fresh run."""

    def __init__(self, cache: ResultCache, metrics: Sequence[BusinessMetric]) -> None:
        self._cache = cache
        self._metrics = metrics

    def collect(self) -> Iterator[Family]:
        """Families from the cache only: never touches a database."""
        fresh = self._cache.fresh()
        for metric in self._metrics:
            yield _family(metric, fresh.get(metric.name, ()))


class ForecastCollector(Collector):
    """The forecast families (generator.library.exporter), with the samples of every fresh forecast run."""

    def __init__(self, cache: ResultCache, forecasts: Sequence[str]) -> None:
        self._cache = cache
        self._forecasts = forecasts

    def collect(self) -> Iterator[Family]:
        """Families from the cache only: never touches Prometheus."""
        fresh = self._cache.fresh()
        found = [sample for name in self._forecasts for sample in fresh.get(name, ())]
        for metric in FORECAST_METRICS:
            yield _family(metric, (sample for sample in found if sample.family == metric.name))
