"""Alert rules, with the examples that become their promtool unit tests."""

import re
from collections.abc import Iterable
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.model.base import Definition, Model
from generator.model.conventions import OBSGEN_LABELS
from generator.model.identity import FileStem
from generator.model.metrics import LABEL_NAME, Metric, RecordingRule
from generator.model.numbers import Finite
from generator.model.templates import GoTemplate

ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
RESERVED_LABELS = OBSGEN_LABELS

Comparison = Literal[">", ">=", "<", "<=", "==", "!="]
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
SERIES_STEP = re.compile(
    rf"_(?:x\d+)?|stale|[+-]?(?:(?:(?i:inf|nan)|{_NUMBER})(?:[+-]{_NUMBER}x\d+)?|{_NUMBER}x\d+)")
"""One step of promtool's series notation: `95`, `95x10` (then 10 more), `0+3x20` (adding 3 each time; `0+3` alone is
"unexpected end of input"), `_` or `_x3` (no sample), `stale`, Inf and NaN in any case (`nan`, `INF`: its lexer looks
keywords up lower-cased), repeated only with a step (`Inf+0x2`; `Infx2` is one unknown word). Native histograms
(`{{schema:0 ...}}`) are left to promtool."""


class Example(Model):
    """Input series and the expected outcome at one instant: a promtool test case."""

    name: str = Field(description="What the example shows, e.g. 'sustained 95% CPU fires'.")
    series: dict[str, str] = Field(min_length=1, description="promtool input: selector -> values ('95x20').")
    at: Duration = Field(description="Evaluation time, from the start of the series.")
    fires: bool = Field(description="Whether the alert is firing at `at`.")
    labels: dict[str, str] | None = Field(
        default=None, description="Labels of the firing series; inferred from a single input series."
    )
    value: float | None = Field(default=None, description="Alert value at `at`, for annotations using $value.")
    interval: Duration = Field(default="1m", description="Spacing of the input samples.")

    @field_validator("series")
    @classmethod
    def _notation(cls, series: dict[str, str]) -> dict[str, str]:
        """A step promtool cannot read fails `obsgen check` with "1:61: parse error" and no definition named."""
        for selector, values in series.items():
            bad = [step for step in values.split() if "{{" not in values and not SERIES_STEP.fullmatch(step)]
            if bad or not values.strip():
                raise ValueError(
                    f"{selector}: {values!r}: {repr(bad[0]) + ' is' if bad else 'no values is'} not promtool's series "
                    "notation; separate steps by spaces, each a value (95), a value repeated N more times (95x10), "
                    "a start growing by a step N times (0+3x20), _ for no sample, or stale")
        return series


class EveryJobAbsent(Model):
    """An Alert's condition written by obsgen: some scrape job of the project as compiled has no `up` series, as
    `absent(up{job="a"}) or absent(up{job="b"}) or ...` (JobMissing). The job list is not the definitions' to
    write: a build or a live stack that drops the jobs of what it does not run must not page them as missing, so
    obsgen writes it over the ScrapeJobs Prometheus is told to scrape (derive/job_missing.py), after any profile.
    A project with no scrape job has nothing to watch, which the loader refuses at the alert."""

    def over(self, jobs: Iterable[str]) -> str:
        """One absent() per job, in the order given; a job named twice is asked about once."""
        return " or ".join(f'absent(up{{job="{name}"}})' for name in dict.fromkeys(jobs))


class AlertRule(Definition):
    """What every alerting rule has, whichever server evaluates it (Prometheus, Loki's ruler)."""

    name: str = Field(description="CamelCase alert name, e.g. CpuHigh.")
    for_: Duration = Field(default="0s", alias="for", description="How long the condition must hold.")
    severity: str = Field(description="Name of a declared severity; its routes apply.")
    summary: GoTemplate = Field(min_length=1, description="One line shown in notifications (Go template).")
    description: GoTemplate = Field(min_length=1, description="What is happening and its impact (Go template).")
    runbook: str = Field(min_length=1, description="What the responder does first (rendered as the runbook).")
    dashboard: str = Field(default="", description="Dashboard (name) to open when it fires.")
    panel: str = Field(default="", description=(
        "Title of the panel of `dashboard` its notification opens. By default a Prometheus alert opens the panel "
        "whose queries read its series; a log alert, whose LogQL no panel query reads, opens the dashboard."))
    labels: dict[str, GoTemplate] = Field(default_factory=dict, description="Extra low-cardinality labels.")
    escalation: str | None = Field(
        default=None, description="Escalation policy it climbs while unresolved; None: its severity's, '' none.")

    @field_validator("name")
    @classmethod
    def _camel(cls, name: str) -> str:
        if not ALERT_NAME.match(name):
            camel = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)
            raise ValueError(f"alert name {name!r} must be CamelCase, e.g. {camel!r} (keep the old one in plan_name)")
        return name

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        for label in labels:
            if not LABEL_NAME.match(label) or label in RESERVED_LABELS:
                raise ValueError(f"label {label!r} is invalid or reserved (set severity/escalation by field)")
        return labels


class Alert(AlertRule):
    """A Prometheus alerting rule: a condition held for a duration, with who and how to tell."""

    plan_name: str = Field(default="", description="The plan's name for it (cpu_high), kept findable.")
    expr: str = Field(default="", description="PromQL condition; or give metric, op and threshold, or `when`.")
    when: EveryJobAbsent | None = Field(
        default=None, description="A condition obsgen writes over the project instead of expr: EveryJobAbsent() "
                                  "fires for each scrape job of the build with no `up` series (the expr is written "
                                  "over the jobs compiled, after any profile).")
    metric: Metric | RecordingRule | None = Field(default=None, description="Series compared to threshold.")
    op: Comparison = Field(default=">", description="Comparison against the threshold.")
    threshold: Finite | None = Field(default=None, description="Number compared against (finite).")
    channels: tuple[str, ...] = Field(default=(), description="Channels beyond the severity's, if any.")
    heartbeat: Duration | None = Field(
        default=None, description="For a dead man's switch (an alert that always fires): its own route sends it at "
                                  "once and again every `heartbeat`, so the service it pings notices a silence; "
                                  "the route matches the stack's external labels, so another stack's alert of the "
                                  "name (sharing the Alertmanager) pings nothing.")
    keep_firing_for: Duration = Field(
        default="0s", description="How long it stays firing after its condition clears, so a condition that clears "
                                  "for a moment does not resolve and fire again (an escalation policy's "
                                  "flap_tolerance applies when longer).")
    group: FileStem = Field(default="alerts", description="Rule group (and file) it is written to.")
    examples: tuple[Example, ...] = Field(min_length=1, description="At least one firing example.")

    @model_validator(mode="after")
    def _one_condition(self) -> Self:
        structured = self.metric is not None or self.threshold is not None
        if [bool(self.expr), structured, self.when is not None].count(True) != 1:
            raise ValueError("give one of expr, when, or metric with op and threshold")
        if structured and (self.metric is None or self.threshold is None):
            raise ValueError("a threshold alert needs both metric and threshold")
        if not any(example.fires for example in self.examples):
            raise ValueError("examples must include at least one where the alert fires")
        return self

    @model_validator(mode="after")
    def _heartbeat_never_escalates(self) -> Self:
        """A dead man's switch fires always, by design: an escalation policy would add always-firing copies at
        each level, which its own route sends to the switch and no level's channels (the runbook would say they
        are told). Whether its severity's policy applies is XR026's to say: the model cannot see the severity."""
        if self.heartbeat is not None and self.escalation:
            raise ValueError(f"heartbeat alert {self.name} always fires, by design: it cannot climb escalation "
                             f"policy {self.escalation!r} (its copies would ping the dead man's switch, not the "
                             "levels' channels); drop escalation=, or give escalation='' where its severity climbs one")
        return self

    @property
    def condition(self) -> str:
        """The PromQL the rule evaluates."""
        if self.expr:
            return self.expr
        assert self.metric is not None
        return f"{self.metric.name} {self.op} {self.threshold:g}"
