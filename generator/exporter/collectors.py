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


class CacheCollector(Collector):
    """The declared families, filled with the samples of the named jobs' fresh results.

    The exporter registers one per kind: the business metrics (a family per SQL query, filled by that
    query) and the forecasts (the forecast families of generator.library.exporter, filled by every
    forecast job).
    """

    def __init__(self, cache: ResultCache, families: Sequence[Metric], jobs: Sequence[str]) -> None:
        self._cache = cache
        self._families = families
        self._jobs = jobs

    def collect(self) -> Iterator[Family]:
        """Families from the cache only: never touches a database or Prometheus."""
        fresh = self._cache.fresh()
        found = [sample for job in self._jobs for sample in fresh.get(job, ())]
        for metric in self._families:
            yield _family(metric, (sample for sample in found if sample.family == metric.name))


def business_collector(cache: ResultCache, queries: Sequence[BusinessMetric]) -> CacheCollector:
    """Business metrics: one family per query."""
    return CacheCollector(cache, queries, [query.name for query in queries])


def forecast_collector(cache: ResultCache, forecasts: Sequence[str]) -> CacheCollector:
    """The forecast families, from every forecast job."""
    return CacheCollector(cache, FORECAST_METRICS, forecasts)
