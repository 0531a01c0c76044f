"""Service-level indicators: which events are good or bad, as PromQL over any window.

Three kinds, as Pyrra has them: a ratio of two counters, a latency threshold on a histogram, and a
0/1 gauge such as `up` whose every sample is an event. Each kind also names the concrete series that
generated promtool tests feed it, so an SLO's alerts are tested through its real recording rules.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AfterValidator, Field, StrictFloat, StrictInt, model_validator

from generator.core.duration import parse_seconds
from generator.core.promql import PromQLError, matcher_op, parse
from generator.core.selector_regex import label_matches
from generator.model.base import Model
from generator.model.metrics import LABEL_NAME, Metric, MetricType


class Feed(StrEnum):
    """What a test series counts, per minute of a scenario with a given error ratio."""

    ALL = "all"  # a counter of every event
    GOOD = "good"  # a counter of successful events
    BAD = "bad"  # a counter of failed events
    GOOD_SHARE = "good_share"  # a gauge holding the share of good events (1 - error ratio)


@dataclass(frozen=True)
class TestSeries:
    """A concrete input series for promtool and what it counts."""

    selector: str
    feed: Feed


@dataclass(frozen=True)
class Selector:
    """A parsed series selector: metric name and label matchers as (label, op, value)."""

    text: str
    name: str
    matchers: tuple[tuple[str, str, str], ...]

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a series with these labels (and this name) is selected."""
        return all(label_matches(op, value, labels.get(label, "")) for label, op, value in self.matchers)

    def equalities(self) -> dict[str, str]:
        """Labels fixed by equality matchers."""
        return {label: value for label, op, value in self.matchers if op == "="}




def parse_selector(text: str) -> Selector:
    """A plain series selector such as http_requests_total{status=~"5.."}; ValueError otherwise."""
    try:
        node = parse(text)
    except PromQLError as error:
        raise ValueError(str(error)) from None
    if type(node).__name__ != "VectorSelector" or not node.name or node.offset or node.at:
        raise ValueError(f"{text!r} must be a plain series selector such as name{{label=\"value\"}} "
                         "(no function, range, offset or @): the SLO adds rate() and the windows")
    matchers = tuple((m.name, matcher_op(m), m.value)
                     for m in node.matchers.matchers if m.name != "__name__")
    return Selector(text, str(node.name), matchers)


def _series(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"{name}{{{inner}}}" if inner else name


def _render(name: str, matchers: tuple[tuple[str, str, str], ...]) -> str:
    """A selector's text from its name and matchers (values quoted as PromQL strings)."""
    inner = ",".join(f"{label}{op}{json.dumps(value, ensure_ascii=False)}" for label, op, value in matchers)
    return f"{name}{{{inner}}}" if inner else name


def _check_labels(labels: dict[str, str]) -> dict[str, str]:
    for label in labels:
        if not LABEL_NAME.match(label) or label.startswith("__"):
            raise ValueError(f"{label!r} is not a valid label name")
    return labels


def _check_selector(text: str) -> str:
    if text:
        parse_selector(text)
    return text


Labels = Annotated[dict[str, str], AfterValidator(_check_labels)]
"""Label names and values, names checked."""
SelectorText = Annotated[str, AfterValidator(_check_selector)]
"""A plain series selector (or empty), checked by parsing it."""


def _sum_rate(selector: str, window: str) -> str:
    return f"sum(rate({selector}[{window}]))"


def _share(failed: str, events: str) -> str:
    """Failed events over all events; no sample, not 0/0 = NaN, over a window without events: NaN is a sample, which
    a panel's `or 0 * events` keeps (the SLO Overview's burn per window showed NaN on a quiet night, not 0)."""
    return f"({failed}) / (({events}) > 0)"


class RatioSLI(Model):
    """Two counters: failed (or good) events over all events, e.g. 5xx responses over requests."""

    kind: Literal["ratio"] = "ratio"
    counts_requests: ClassVar[bool] = True
    """Its events come as the traffic does: few on a quiet night."""
    errors: SelectorText = Field(default="", description="Selector of the counter of failed events (or good).")
    good: SelectorText = Field(default="", description="Selector of the counter of successful events (or errors).")
    total: SelectorText = Field(min_length=1, description="Selector of the counter of all events.")
    error_labels: Labels = Field(
        default_factory=dict, description="Labels of a failing series in generated tests, when a regex hides them.")
    good_labels: Labels = Field(
        default_factory=dict, description="Labels of a succeeding series in generated tests, when a regex hides them.")

    @model_validator(mode="after")
    def _one_side(self) -> Self:
        if bool(self.errors) == bool(self.good):
            raise ValueError("give either errors (failed events) or good (successful events), not both")
        self.test_series()
        return self

    @property
    def selectors(self) -> tuple[Selector, ...]:
        """The counter selectors it reads."""
        return tuple(parse_selector(text) for text in (self.errors or self.good, self.total))

    def inputs(self) -> tuple[str, ...]:
        """Selectors that select nothing when the SLI stops being measured: the total, and the other counter's family
        in the total's scope when it has a name of its own (its failing or succeeding subset alone may well not
        exist yet: a counter child is created at its first event)."""
        part, total = self.selectors
        if part.name == total.name:
            return (total.text,)
        return total.text, _render(part.name, tuple(m for m in part.matchers if m in total.matchers))

    def error_rate(self, window: str) -> str:
        """Failed events per second over a window."""
        if self.errors:
            return _sum_rate(self.errors, window)
        return f"{_sum_rate(self.total, window)} - {_sum_rate(self.good, window)}"

    def event_rate(self, window: str) -> str:
        """All events per second over a window."""
        return _sum_rate(self.total, window)

    def error_ratio(self, window: str) -> str:
        """Share of failed events over a window."""
        return _share(self.error_rate(window), self.event_rate(window))

    def test_series(self) -> tuple[TestSeries, ...]:
        """Series fed in generated tests: failures and successes, or the subset and its total."""
        part, total = self.selectors
        failing = not self.good
        part_labels = {**part.equalities(), **(self.error_labels if failing else self.good_labels)}
        other_labels = {**total.equalities(), **(self.good_labels if failing else self.error_labels)}
        field_part, field_other = ("error_labels", "good_labels") if failing else ("good_labels", "error_labels")
        if not part.matches(part_labels) or (part.name == total.name and not total.matches(part_labels)):
            raise ValueError(f"cannot build a test series for {part.text}: give {field_part}={{...}} "
                             "with label values its matchers select")
        if part.name != total.name:
            if not total.matches(other_labels):
                raise ValueError(f"cannot build a test series for {total.text}: give {field_other}={{...}}")
            return (TestSeries(_series(part.name, part_labels), Feed.BAD if failing else Feed.GOOD),
                    TestSeries(_series(total.name, other_labels), Feed.ALL))
        if not total.matches(other_labels) or part.matches(other_labels):
            raise ValueError(f"cannot build a test series counted in {total.text} but not in {part.text}: "
                             f"give {field_other}={{...}}")
        return (TestSeries(_series(part.name, part_labels), Feed.BAD if failing else Feed.GOOD),
                TestSeries(_series(total.name, other_labels), Feed.GOOD if failing else Feed.BAD))

    def describe(self) -> str:
        """One line for people."""
        return f"{self.errors or self.good} {'failed' if self.errors else 'good'} events over {self.total}"


def bucket_bound(threshold: float) -> str:
    """The le matcher of a bucket: Prometheus 3 writes integral bounds as "1.0", older servers as "1"."""
    if float(threshold).is_integer():
        return f'le=~"{int(threshold)}|{int(threshold)}\\\\.0"'
    return f'le="{threshold!r}"'


class LatencySLI(Model):
    """Requests slower than a threshold are bad: a histogram's count above one of its bucket boundaries."""

    kind: Literal["latency"] = "latency"
    counts_requests: ClassVar[bool] = True
    """Its events come as the traffic does: few on a quiet night."""
    histogram: Metric = Field(description="The latency histogram (a declared Metric with buckets).")
    threshold: StrictInt | StrictFloat = Field(gt=0, description="Seconds; must be one of the histogram's buckets.")
    matchers: Labels = Field(default_factory=dict, description="Label equalities selecting the requests.")

    @model_validator(mode="after")
    def _bucket(self) -> Self:
        metric = self.histogram
        if metric.type is not MetricType.HISTOGRAM:
            raise ValueError(f"{metric.name} is a {metric.type}: a latency SLI needs a histogram")
        if float(self.threshold) not in metric.buckets:
            raise ValueError(
                f"threshold {self.threshold:g} is not a bucket boundary of {metric.name} "
                f"(buckets: {', '.join(f'{b:g}' for b in metric.buckets) or 'none declared'}): the SLI counts "
                "requests in the bucket le=threshold, so pick one of them or add it to the metric's buckets"
            )
        for label in self.matchers:
            if label not in metric.labels:
                raise ValueError(f"{metric.name} has no label {label!r}; its labels: {', '.join(metric.labels)}")
        return self

    def _selector(self, suffix: str, bucket: bool = False) -> str:
        matchers = [f'{key}="{value}"' for key, value in sorted(self.matchers.items())]
        if bucket:
            matchers.append(bucket_bound(self.threshold))
        return f"{self.histogram.name}_{suffix}{{{','.join(matchers)}}}" if matchers else \
            f"{self.histogram.name}_{suffix}"

    def inputs(self) -> tuple[str, ...]:
        """The count and the threshold's bucket: exported together, so the bucket alone missing means the
        application's buckets no longer include the threshold."""
        return self._selector("count"), self._selector("bucket", bucket=True)

    def error_rate(self, window: str) -> str:
        """Requests slower than the threshold, per second over a window."""
        return f"{self.event_rate(window)} - {_sum_rate(self._selector('bucket', bucket=True), window)}"

    def event_rate(self, window: str) -> str:
        """Requests per second over a window."""
        return _sum_rate(self._selector("count"), window)

    def error_ratio(self, window: str) -> str:
        """Share of requests slower than the threshold over a window."""
        return _share(self.error_rate(window), self.event_rate(window))

    def test_series(self) -> tuple[TestSeries, ...]:
        """The histogram's count and its threshold bucket."""
        labels = dict(self.matchers)
        bucket = _series(f"{self.histogram.name}_bucket", {**labels, "le": f"{float(self.threshold)!r}"})
        return (TestSeries(_series(f"{self.histogram.name}_count", labels), Feed.ALL),
                TestSeries(bucket, Feed.GOOD))

    def describe(self) -> str:
        """One line for people."""
        where = ",".join(f'{k}="{v}"' for k, v in sorted(self.matchers.items()))
        return f"{self.histogram.name}{{{where}}} requests served within {self.threshold:g} s"


class BoolGaugeSLI(Model):
    """A gauge that is 1 when healthy and 0 when not (e.g. up): every sample is an event."""

    kind: Literal["bool_gauge"] = "bool_gauge"
    counts_requests: ClassVar[bool] = False
    """Its events are samples, which come at the scrape rate, day and night."""
    gauge: SelectorText = Field(min_length=1, description="Selector of the 0/1 gauge, e.g. up{job=\"prometheus\"}.")
    test_labels: Labels = Field(
        default_factory=dict, description="Labels of the series fed in generated tests, when a regex hides them.")

    @model_validator(mode="after")
    def _testable(self) -> Self:
        self.test_series()
        return self

    @property
    def selectors(self) -> tuple[Selector, ...]:
        """The gauge selector it reads."""
        return (parse_selector(self.gauge),)

    def inputs(self) -> tuple[str, ...]:
        """The gauge."""
        return (self.gauge,)

    def error_rate(self, window: str) -> str:
        """Samples at 0, per second over a window."""
        seconds = f"{parse_seconds(window):g}"
        return (f"(sum(count_over_time({self.gauge}[{window}])) - sum(sum_over_time({self.gauge}[{window}])))"
                f" / {seconds}")

    def event_rate(self, window: str) -> str:
        """Samples per second over a window."""
        return f"sum(count_over_time({self.gauge}[{window}])) / {parse_seconds(window):g}"

    def error_ratio(self, window: str) -> str:
        """Share of samples at 0 over a window."""
        return f"1 - sum(sum_over_time({self.gauge}[{window}])) / sum(count_over_time({self.gauge}[{window}]))"

    def test_series(self) -> tuple[TestSeries, ...]:
        """The gauge, holding the share of good samples (a fraction stands for that share of targets up)."""
        (selector,) = self.selectors
        labels = {**selector.equalities(), **self.test_labels}
        if not selector.matches(labels):
            raise ValueError(f"cannot build a test series for {self.gauge}: give test_labels={{...}}")
        return (TestSeries(_series(selector.name, labels), Feed.GOOD_SHARE),)

    def describe(self) -> str:
        """One line for people."""
        return f"samples of {self.gauge} at 1"


AnySLI = Annotated[RatioSLI | LatencySLI | BoolGaugeSLI, Field(discriminator="kind")]
"""Any of the indicator kinds."""
