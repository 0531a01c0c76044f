"""Panels: what a dashboard shows, typed; turning them into Grafana JSON is the target's job."""

from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.core.promql import PromQLError, parse
from generator.model.alerts import Alert
from generator.model.base import Definition, Model
from generator.model.colours import Colour
from generator.model.conventions import NOT_ESCALATION
from generator.model.metrics import Metric, MetricType, RecordingRule
from generator.model.numbers import FiniteFloat

MAX_WIDTH = 24  # Grafana's grid has 24 columns
METRIC_UNITS = {"seconds": "s", "second": "s", "milliseconds": "ms", "microseconds": "µs", "nanoseconds": "ns",
                "minutes": "m", "hours": "h", "days": "d", "ratio": "percentunit", "percentage": "percent",
                "currency": "currencyUSD (or another currency id)", "byte": "bytes"}
"""A Metric's unit words that are no Grafana unit id, with the id meant: Grafana prints an unknown unit after the
raw number, unscaled (0.25 seconds, where `s` reads 250 ms)."""
MAX_HEIGHT = 60


class PanelKind(StrEnum):
    """Grafana visualisations obsgen emits."""

    TIMESERIES = "timeseries"
    BARCHART = "barchart"
    GAUGE = "gauge"
    HEATMAP = "heatmap"
    TABLE = "table"
    STAT = "stat"
    STATE_TIMELINE = "state-timeline"
    TEXT = "text"
    BAR_GAUGE = "bargauge"
    PIE_CHART = "piechart"


# The plan's chart names and the Grafana visualisation each becomes.
PLAN_KINDS = {
    "line": PanelKind.TIMESERIES,
    "bar": PanelKind.BARCHART,
    "big_number": PanelKind.STAT,
    "status_grid": PanelKind.STATE_TIMELINE,
}
ACCEPTED_KINDS = frozenset({*PLAN_KINDS, *PanelKind})
"""Every name a panel's kind may be given: the plan's and Grafana's (a set built once, not per panel)."""


def unknown_kind(kind: str) -> str:
    """Why a panel kind is refused: the names accepted, the plan's (which README's examples use) among them, and the
    closest one."""
    import difflib  # (only a misspelt kind needs it)

    names = [*PLAN_KINDS, *PanelKind]
    close = difflib.get_close_matches(kind, names, n=1, cutoff=0.6)
    return (f"{kind!r} is not a panel kind{f'; did you mean {close[0]!r}?' if close else ''} (the plan's: "
            f"{', '.join(PLAN_KINDS)}; Grafana's: {', '.join(PanelKind)})")


QuerySource = str | Metric | RecordingRule | Alert
TRACE_LINK_PREFIX, TRACE_LINK_SUFFIX = "rate(", "[$__rate_interval] @ 0)"
"""An exemplars-only query's expression: its selector between these (Query.promql)."""
VERBATIM = ("Grafana JSON obsgen does not model (kept verbatim by `obsgen import`), written over the generated "
            "{}: nested objects merge key by key, any other value replaces the generated one.")


def source_promql(source: QuerySource) -> str:
    """PromQL reading a model object: recorded series as is, counters rated, histograms as p95, alerts as their
    ALERTS series (without escalation copies)."""
    if isinstance(source, str):
        return source
    if isinstance(source, RecordingRule):
        return source.name
    if isinstance(source, Alert):
        return f'ALERTS{{alertname="{source.name}",alertstate="firing",{NOT_ESCALATION}}}'
    if source.type is MetricType.COUNTER:
        return f"sum(rate({source.name}[$__rate_interval]))"
    if source.type is MetricType.HISTOGRAM:
        return f"histogram_quantile(0.95, sum by (le) (rate({source.name}_bucket[$__rate_interval])))"
    return source.name


class Query(Model):
    """One PromQL target of a panel."""

    expr: QuerySource = Field(description="PromQL, or a Metric / RecordingRule / Alert to read.")
    legend: str = Field(default="", description="Legend format, e.g. '{{service}}'.")
    instant: bool = Field(default=False, description="Evaluate at the end of the range only (stat, table).")
    format: Literal["time_series", "table", "heatmap"] = Field(default="time_series", description="Result shape.")
    exemplars: bool = Field(default=False, description="Show exemplars (trace ids) next to the series.")
    exemplars_only: bool = Field(default=False, description=(
        "expr is a series selector whose exemplars (trace links) the panel shows, and none of its values: for a panel "
        "whose values come from a recording rule (recorded series keep no exemplars)."))
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("target"))

    @model_validator(mode="after")
    def _exemplars_only(self) -> Self:
        if not self.exemplars_only:
            return self
        if self.instant or self.format != "time_series" or not isinstance(self.expr, str):
            raise ValueError("a query with exemplars_only draws nothing: it takes a series selector, no instant and "
                             "no format")
        try:
            node = parse(self.expr)
        except PromQLError as error:
            raise ValueError(f"exemplars_only takes a series selector: {error}") from None
        if type(node).__name__ != "VectorSelector" or node.offset or node.at:
            raise ValueError(f"exemplars_only takes a series selector such as x_bucket{{job=~\"$job\"}}, "
                             f"not {self.expr!r}")
        return self

    @property
    def promql(self) -> str:
        """The expression sent to Prometheus (Grafana variables still in it). An exemplars-only query reads its
        selector at 1970 (`@ 0`), where no block holds data: Prometheus selects no series, answers nothing and costs
        nothing however many series match, while Grafana asks /api/v1/query_exemplars for the same expression over
        the dashboard's range, and Prometheus picks exemplars by the expression's selectors alone."""
        if self.exemplars_only:
            return f"{TRACE_LINK_PREFIX}{source_promql(self.expr)}{TRACE_LINK_SUFFIX}"
        return source_promql(self.expr)

    @classmethod
    def trace_link(cls, expr: str, legend: str = "") -> Self | None:
        """The exemplars-only query whose promql is `expr`, None when `expr` is not one's: what an import of the
        generated JSON reads back (its selector, exemplars_only), not the `@ 0` expression."""
        if not (expr.startswith(TRACE_LINK_PREFIX) and expr.endswith(TRACE_LINK_SUFFIX)):
            return None
        try:
            query = cls(expr=expr[len(TRACE_LINK_PREFIX):-len(TRACE_LINK_SUFFIX)], legend=legend, exemplars_only=True)
        except ValueError:  # pydantic's ValidationError: not a plain selector
            return None
        return query if query.promql == expr else None

    @property
    def asks_exemplars(self) -> bool:
        """Whether Grafana asks Prometheus for the exemplars of its series."""
        return self.exemplars or self.exemplars_only


class Threshold(Model):
    """A colour from a value upwards; the first step has no value (the base)."""

    value: FiniteFloat | None = Field(default=None, description="Lower bound; None for the base step.")
    color: Colour = Field(description="Grafana colour name or #rrggbb.")


class ValueText(Model):
    """Shows one value as text, e.g. up == 1 as UP in green."""

    value: str = Field(description="The value, as Grafana prints it ('1', '0').")
    text: str = Field(min_length=1, description="What is shown instead.")
    color: Colour = Field(default="", description="Colour for that value; none keeps the thresholds' colour.")


class Legend(Model):
    """Legend of a time series or bar chart."""

    show: bool = Field(default=True, description="Whether the legend is shown.")
    mode: Literal["list", "table"] = Field(default="list", description="List or table display.")
    placement: Literal["bottom", "right"] = Field(default="bottom", description="Where it is placed.")
    calcs: tuple[str, ...] = Field(default=(), description="Reducers shown per series, e.g. ('mean', 'max').")


class Link(Model):
    """A link to any URL (a panel's or a dashboard's)."""

    title: str = Field(min_length=1, description="Link text.")
    url: str = Field(min_length=1, description="Target URL; Grafana variables allowed.")
    new_tab: bool = Field(default=False, description="Open in a new browser tab.")


class ExploreLink(Model):
    """A link opening Grafana Explore on logs (Loki) or traces (Tempo) with a query."""

    title: str = Field(min_length=1, description="Link text.")
    datasource: Literal["loki", "tempo"] = Field(description="Which provisioned data source to explore.")
    query: str = Field(min_length=1, description="LogQL or TraceQL; Grafana variables allowed.")


PanelLink = Link | ExploreLink


class Panel(Definition):
    """A visualisation with its queries; width and height are chosen by the layout unless given."""

    title: str = Field(min_length=1, description="Panel title, unique within its dashboard.")
    kind: PanelKind = Field(description="Visualisation; the plan's names (line, bar, big_number...) are accepted.")
    description: str = Field(default="", description="What the panel shows and how to read it (panel info tip).")
    queries: tuple[Query, ...] = Field(default=(), description="Targets: Query objects, PromQL or model objects.")
    unit: str = Field(default="", description="Grafana unit id: percent, percentunit, s, bytes, reqps, currencyUSD...")
    decimals: int | None = Field(default=None, ge=0, le=10, description="Decimals shown.")
    min: float | None = Field(default=None, description="Axis or gauge minimum.")
    max: float | None = Field(default=None, description="Axis or gauge maximum.")
    soft_min: float | None = Field(default=None, description=(
        "Time series or bar chart axis soft minimum (custom.axisSoftMin): the axis reaches down to at least it, "
        "lower when a series does; 0 shows a share's distance from none."))
    soft_max: float | None = Field(default=None, description=(
        "Time series or bar chart axis soft maximum (custom.axisSoftMax): the axis reaches at least it, further "
        "when a series does. Above a threshold, its line shows while the series is far under it (Grafana scales "
        "the axis to the series and draws no threshold outside it)."))
    thresholds: tuple[Threshold, ...] = Field(default=(), description=(
        "Colour steps, e.g. a gauge's target; without a base step, values below the first take red when the steps "
        "climb to green (higher is better: conversion, availability) and green otherwise (CPU, errors)."))
    value_texts: tuple[ValueText, ...] = Field(default=(), description="Values shown as words (value mappings).")
    legend: Legend = Field(default_factory=Legend, description="Legend of time series and bar charts.")
    stacked: bool = Field(default=False, description="Stack the series of a time series or bar chart.")
    links: tuple[PanelLink, ...] = Field(default=(), description="Links in the panel header.")
    time_range: Duration | Literal["today"] | None = Field(
        default=None, description="Overrides the dashboard range (panel timeFrom); 'today' is since midnight.")
    content: str = Field(default="", description="Markdown of a text panel.")
    width: int | None = Field(default=None, ge=1, le=MAX_WIDTH, description="Grid columns; default by kind.")
    height: int | None = Field(default=None, ge=1, le=MAX_HEIGHT,
                               description="Grid rows (30 px); default by kind (a state timeline of alerts or scrape "
                                           "targets: tall enough to name each).")
    plan_name: str = Field(default="", description="The plan's name for it, kept findable.")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("panel"))

    @field_validator("unit")
    @classmethod
    def _grafana_unit(cls, unit: str) -> str:
        if unit.lower() in METRIC_UNITS:
            raise ValueError(f"{unit!r} is a Metric's unit word, not a Grafana unit id: Grafana would print it after "
                             f"the raw number, unscaled (0.25 seconds, not 250 ms); use {METRIC_UNITS[unit.lower()]}")
        return unit

    @field_validator("kind", mode="before")
    @classmethod
    def _plan_kind(cls, kind: Any) -> Any:
        if isinstance(kind, str) and kind not in ACCEPTED_KINDS:
            raise ValueError(unknown_kind(kind))
        return PLAN_KINDS.get(kind, kind) if isinstance(kind, str) else kind

    @field_validator("queries", mode="before")
    @classmethod
    def _wrap_queries(cls, queries: Any) -> Any:
        if isinstance(queries, str | Metric | RecordingRule | Alert | Query):
            queries = (queries,)
        return tuple(q if isinstance(q, Query | dict) else Query(expr=q) for q in queries)

    @field_validator("thresholds", mode="before")
    @classmethod
    def _threshold_pairs(cls, steps: Any) -> Any:
        steps = tuple(Threshold(value=s[0], color=s[1]) if isinstance(s, tuple) else s for s in steps)
        if steps and isinstance(steps[0], Threshold) and steps[0].value is not None:
            higher_is_better = steps[-1].color == "green"
            steps = (Threshold(color="red" if higher_is_better else "green"), *steps)
        return steps

    @model_validator(mode="after")
    def _shape(self) -> Self:
        verbatim = "type" in self.extra or "targets" in self.extra  # a visualisation or queries obsgen does not model
        if self.kind is PanelKind.TEXT:
            if self.queries or not (self.content or verbatim):
                raise ValueError(f"text panel {self.title!r} takes content and no queries")
        elif not self.queries and not verbatim:
            raise ValueError(f"panel {self.title!r} needs at least one query")
        if any(step.value is None for step in self.thresholds[1:]):
            raise ValueError(f"panel {self.title!r}: only the first threshold step may have no value")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"panel {self.title!r}: min {self.min} must be below max {self.max}")
        if self.soft_min is not None and self.soft_max is not None and self.soft_min >= self.soft_max:
            raise ValueError(f"panel {self.title!r}: soft_min {self.soft_min} must be below soft_max {self.soft_max}")
        if (self.soft_min is not None or self.soft_max is not None) and self.kind not in SOFT_LIMITED:
            raise ValueError(f"panel {self.title!r}: soft_min and soft_max set a time series' or bar chart's axis, "
                             f"not a {self.kind.value}'s")
        # Grafana asks for a histogram's exemplars only for the first target whose expression names it
        # (shouldRunExemplarQuery); a recorded series named after it (x_bucket:rate1m) names it too
        only = [query.exemplars_only for query in self.queries]
        if only != sorted(only, reverse=True):
            raise ValueError(f"panel {self.title!r}: queries with exemplars_only come before the others: Grafana "
                             "fetches a histogram's exemplars only for the first query that names it")
        return self


SOFT_LIMITED = frozenset({PanelKind.TIMESERIES, PanelKind.BARCHART})
"""The kinds whose value axis takes soft limits (custom.axisSoftMin / axisSoftMax)."""


class Row(Model):
    """A titled band of panels; collapsed rows load their panels only when opened."""

    title: str = Field(min_length=1, description="Row title.")
    panels: tuple[Panel, ...] = Field(default=(), description="Panels in reading order (none: a section heading).")
    collapsed: bool = Field(default=False, description="Start collapsed.")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("row"))
