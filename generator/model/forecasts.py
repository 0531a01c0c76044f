"""Forecasts declared on Prometheus series: what to learn from, the season, the band, and a capacity limit."""

from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration, format_seconds, parse_seconds
from generator.model.base import Definition, Model
from generator.model.exporter import JobName, Scheduled
from generator.model.metrics import LABEL_NAME

MAX_POINTS = 50_000  # samples per series fetched at each run; beyond this a run costs seconds of CPU
MIN_SEASONS = 2


class Capacity(Model):
    """A limit the series grows (or shrinks) towards; the exporter predicts when it is reached."""

    limit: float = Field(description="The value at which the resource is exhausted (bytes, ratio 1.0, 0 free...).")
    direction: Literal["up", "down"] = Field(default="up", description="up: usage grows to limit; down: free shrinks.")
    resource: str = Field(default="capacity", min_length=1, description="What is exhausted, e.g. disk.")
    name_labels: tuple[str, ...] = Field(default=("instance",), description="Labels naming the resource in messages.")
    warning_within: Duration = Field(default="7d", description="Exhaustion sooner than this is a warning.")
    critical_within: Duration = Field(default="1d", description="Exhaustion sooner than this is critical.")

    @field_validator("name_labels")
    @classmethod
    def _labels(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        for label in labels:
            if not LABEL_NAME.match(label):
                raise ValueError(f"{label!r} is not a label name")
        return labels

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if parse_seconds(self.critical_within) > parse_seconds(self.warning_within):
            raise ValueError("critical_within must not be longer than warning_within")
        return self


class Forecast(Definition, Scheduled):
    """Forecast, prediction band, anomaly score and (optionally) capacity of every series a PromQL returns."""

    name: JobName = Field(description="lower_snake_case; the `forecast` label of every output series.")
    help: str = Field(min_length=1, description="What is forecast, shown in reports.")
    expr: str = Field(min_length=1, description="PromQL whose history is learnt (through query_range).")
    step: Duration = Field(default="5m", description="Resolution of the history and of the forecast.")
    season: Duration | None = Field(default="1w", description="Seasonality (1d, 1w) or None for a trend only.")
    history: Duration = Field(default="5w", description="How far back each run reads.")
    horizon: Duration = Field(default="1d", description="How far ahead it forecasts; the band pools these leads.")
    coverage: float = Field(default=0.95, gt=0.5, lt=1.0, description="Nominal share of values inside the band.")
    capacity: Capacity | None = Field(default=None, description="Predict when the series reaches a limit.")
    max_series: int = Field(default=50, ge=1, le=1000, description="A run returning more series fails.")
    interval: Duration = Field(default="5m", description="How often the forecast is recomputed.")
    timeout: Duration = Field(default="30s", description="Longest a run (query and computation) may take.")
    time_scale: float = Field(default=1.0, gt=0, description=(
        "Seconds of the definitions per real second: a time-compressed live demo (obsgen up) sets it, so "
        "seasons, trends and times to exhaustion are learnt and reported in the definitions' time."))

    @property
    def runs_in_real_time(self) -> bool:
        """Whether interval and timeout are both real seconds: not in a time-compressed demo."""
        return self.time_scale == 1.0

    @model_validator(mode="after")
    def _fits_history(self) -> Self:
        step, history, horizon = (parse_seconds(d) for d in (self.step, self.history, self.horizon))
        if step <= 0:
            raise ValueError("step must be longer than 0s")
        if history / step > MAX_POINTS:
            raise ValueError(f"history {self.history} at step {self.step} is more than {MAX_POINTS} points per series")
        if horizon < step:
            raise ValueError(f"horizon {self.horizon} is shorter than one step ({self.step})")
        if self.season is not None:
            season = parse_seconds(self.season)
            if season % step or season < 2 * step:
                raise ValueError(f"season {self.season} must be a whole number (>= 2) of steps of {self.step}")
            if history < MIN_SEASONS * season:
                needed = format_seconds(MIN_SEASONS * season)
                raise ValueError(f"history {self.history} holds fewer than {MIN_SEASONS} seasons: use {needed} or more")
        return self

    def steps(self, duration: str) -> int:
        """A duration of this forecast in steps (rounded)."""
        return max(1, round(parse_seconds(duration) / parse_seconds(self.step)))
