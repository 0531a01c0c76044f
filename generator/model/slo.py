"""Service-level objectives: an indicator, an objective over a window, and the burn-rate alerting it wants.

Alerting follows the Google SRE workbook (chapter 5) as Sloth does: each burn window pairs a long
window, which proves a share of the error budget was spent, with a short one that resets the alert
soon after the burn stops. Its factor is the budget share over the long window, scaled to the SLO's
window: 2% of a 30-day budget in 1 h is a 14.4x burn; the same 2% of a 28-day budget is 13.44x.
"""

import re
from functools import cache
from typing import Literal, Self

from pydantic import Field, StrictFloat, StrictInt, field_validator, model_validator

from generator.core.duration import Duration, parse_seconds
from generator.model.base import Definition, Model
from generator.model.conventions import OBSGEN_LABELS
from generator.model.metrics import LABEL_NAME
from generator.model.sli import AnySLI

SLO_NAME = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")
ALERT_PREFIX = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SLO_LABELS = ("slo", "service")
WINDOW_LABEL = "window"
RESERVED = {*SLO_LABELS, WINDOW_LABEL, *OBSGEN_LABELS, "le"}
Urgency = Literal["page", "ticket"]


def number(value: float) -> str:
    """A float as PromQL and people read it: 14.4, 0.001, 0.9333333333 (no binary noise)."""
    return f"{round(value, 10):.10g}"


class BurnWindow(Model):
    """One multi-window burn-rate condition: the long and the short window, and the budget share it means."""

    urgency: Urgency = Field(description="page (someone acts now) or ticket (someone acts this week).")
    long: Duration = Field(description="Window proving the budget share was spent, e.g. 1h.")
    short: Duration = Field(description="Window that resets the alert once the burn stops, e.g. 5m.")
    budget_percent: StrictInt | StrictFloat = Field(
        gt=0, le=100, description="Share of the whole window's error budget spent in `long` at the threshold.")

    @model_validator(mode="after")
    def _short_inside_long(self) -> Self:
        if parse_seconds(self.short) >= parse_seconds(self.long):
            raise ValueError(f"short window {self.short} must be shorter than long window {self.long}")
        return self

    def factor(self, slo_window: str) -> float:
        """Burn rate at the threshold: the budget share spent in `long`, as a multiple of the sustainable rate."""
        return round(self.budget_percent / 100 * parse_seconds(slo_window) / parse_seconds(self.long), 10)


@cache
def google_windows() -> tuple[BurnWindow, ...]:
    """The SRE workbook's recommended windows (Sloth's google-30d/28d catalogue): 14.4x, 6x, 3x, 1x over 30 days.
    Made at the first SLOAlerting without windows, not at import: building BurnWindow's validator costs a project
    with no SLO (most) a few milliseconds of every process."""
    return (
        BurnWindow(urgency="page", long="1h", short="5m", budget_percent=2),
        BurnWindow(urgency="page", long="6h", short="30m", budget_percent=5),
        BurnWindow(urgency="ticket", long="1d", short="2h", budget_percent=10),
        BurnWindow(urgency="ticket", long="3d", short="6h", budget_percent=10),
    )


class SLOAlerting(Model):
    """How an SLO's burn-rate alerts map onto the project's severities, channels and escalation."""

    page_severity: str = Field(default="critical", description="Severity of page alerts.")
    ticket_severity: str = Field(default="warning", description="Severity of ticket alerts.")
    page_escalation: str | None = Field(default=None, description="Escalation policy of page alerts; None: their "
                                                                  "severity's, '' none.")
    ticket_escalation: str | None = Field(default=None, description="Escalation policy of ticket alerts; None: "
                                                                    "their severity's, '' none.")
    windows: tuple[BurnWindow, ...] = Field(default_factory=google_windows, min_length=1,
                                            description="Burn windows.")
    min_failures: StrictInt = Field(
        default=5, ge=1, description="Failed events a burn window's long window must count before its alert fires. "
        "On a quiet night one failed request among sixty an hour burns a 99.9% budget 17x by arithmetic and is "
        "noise by experience (Google SRE workbook, alerting on SLOs: low-traffic services); a real outage fails "
        "every request and passes it in minutes. 1: the ratios alone decide. An SLI of a gauge's samples, which come "
        "at the scrape rate day and night, is not held to it.")
    absent: bool = Field(
        default=True, description="Page (page severity and escalation) when the SLI's input series vanish, which "
        "leaves the burn-rate alerts nothing to fire on. Only inputs that exist from their exporter's start are "
        "watched (Metric initial_labels or initialised): one created at its first event is absent after every "
        "restart on a quiet night (SM008 names it). False: no absent alert at all (Pyrra's alerting.absent).")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        longs = [parse_seconds(w.long) for w in self.windows]
        if len(set(longs)) != len(longs):
            raise ValueError("burn windows must have distinct long windows (the alert is named after it)")
        return self

    def severity(self, window: BurnWindow) -> str:
        """Severity of a burn window's alert."""
        return self.page_severity if window.urgency == "page" else self.ticket_severity

    def escalation(self, window: BurnWindow) -> str | None:
        """Escalation policy of a burn window's alert."""
        return self.page_escalation if window.urgency == "page" else self.ticket_escalation


def camel(*parts: str) -> str:
    """CamelCase of snake/kebab parts: ("metrics-pipeline", "scrapes") -> MetricsPipelineScrapes."""
    return "".join(word.capitalize() for part in parts for word in re.split(r"[_-]", part) if word)


class SLO(Definition):
    """A service-level objective: `objective` percent of the SLI's events are good over `window`."""

    service: str = Field(description="Service (or user journey) the objective is about, e.g. checkout.")
    name: str = Field(description="What is promised, e.g. availability or latency.")
    objective: StrictInt | StrictFloat = Field(gt=0, lt=100, description="Percent of good events, e.g. 99.9.")
    window: Duration = Field(default="30d", description="Compliance window the error budget is spent over.")
    sli: AnySLI = Field(description="Which events are good and which are bad.")
    description: str = Field(min_length=1, description="The promise in words, shown in alerts and dashboards.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on its series and alerts.")
    alerting: SLOAlerting = Field(default_factory=SLOAlerting, description="Severities and burn windows.")
    alert_name: str = Field(default="", description="CamelCase prefix of its alerts; default from service+name.")
    runbook: str = Field(default="", description="What the responder does first; a generic one is used if empty.")
    plan_name: str = Field(default="", description="The plan's name for the target, kept findable.")

    @field_validator("service", "name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLO_NAME.match(value):
            raise ValueError(f"{value!r} must be lower-case words joined by - or _, e.g. checkout")
        return value

    @field_validator("objective")
    @classmethod
    def _percent(cls, objective: float) -> float:
        if objective <= 1:  # 0.995 written for 99.5%: a promise that 99.5% of events may fail
            meant = number(objective * 100)
            fix = (f"for {meant}% write objective={meant}" if objective < 1 else
                   "100% leaves no error budget to burn (an objective is under 100): write the percent, e.g. "
                   "objective=99.9")
            raise ValueError(f"objective is a percentage: {number(objective)} promises {number(objective)}% good "
                             f"events; {fix}")
        return objective

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for label in labels:
            if not LABEL_NAME.match(label) or label in RESERVED:
                raise ValueError(f"label {label!r} is invalid or set by obsgen ({', '.join(sorted(RESERVED))})")
        return labels

    @field_validator("alert_name")
    @classmethod
    def _prefix(cls, prefix: str) -> str:
        if prefix and not ALERT_PREFIX.match(prefix):
            raise ValueError(f"alert_name {prefix!r} must be CamelCase, e.g. {camel(prefix)!r}")
        return prefix

    @model_validator(mode="after")
    def _alertable(self) -> Self:
        period = parse_seconds(self.window)
        for burn in self.alerting.windows:
            if parse_seconds(burn.long) >= period:
                raise ValueError(f"burn window {burn.long} must be shorter than the SLO window {self.window}")
            threshold = burn.factor(self.window) * self.budget
            if threshold >= 1:
                raise ValueError(
                    f"a {number(burn.factor(self.window))}x burn of a {number(self.objective)}% objective needs "
                    f"an error ratio of {number(threshold)} over {burn.long}, which can never happen: raise the "
                    "objective or give burn windows with a smaller budget_percent"
                )
        return self

    @property
    def key(self) -> str:
        """snake_case identity used in series names: checkout_availability."""
        return re.sub(r"[^a-z0-9]+", "_", f"{self.service}_{self.name}")

    @property
    def slug(self) -> str:
        """kebab-case identity used in file and group names: checkout-availability."""
        return self.key.replace("_", "-")

    @property
    def budget(self) -> float:
        """Error budget as a ratio: 0.001 for 99.9%."""
        return round(1 - self.objective / 100, 12)

    @property
    def target(self) -> float:
        """Share of good events promised, as a ratio: 0.999 for 99.9% (not 99.9 / 100 = 0.9990000000000001, which
        an SLI of exactly the objective would fall short of)."""
        return round(self.objective / 100, 12)

    @property
    def series_labels(self) -> dict[str, str]:
        """Labels every series the SLO records carries."""
        return {"slo": self.name, "service": self.service, **self.labels}

    @property
    def ratio_windows(self) -> tuple[str, ...]:
        """Windows of the error-ratio rules, shortest first: 5m and every burn window's short and long."""
        windows = {parse_seconds(w): w for burn in self.alerting.windows for w in (burn.short, burn.long)}
        windows.setdefault(300.0, "5m")
        return tuple(windows[seconds] for seconds in sorted(windows))

    def record(self, what: str, operation: str) -> str:
        """Name of one of its recording rules, level:metric:operation: slo:checkout_availability_<what>:<op>."""
        return f"slo:{self.key}_{what}:{operation}"

    def error_ratio_record(self, window: str) -> str:
        """The recorded share of bad events over a window (Sloth's slo:sli_error:ratio_rate<window>)."""
        return self.record("sli_error", f"ratio_rate{window}")

    def error_ratio_shown(self, window: str) -> str:
        """The recorded error ratio over a window as a panel reads it: 0 while events are counted and no failure has
        been (the ratio's numerator has no series until the first one, and a bare panel says "No data"); the 0
        carries the ratio's labels, so a graph's line goes on as one series, and nothing is shown where nothing was
        counted at all."""
        return f"({self.error_ratio_record(window)} or 0 * {self.record('events', 'rate5m')})"

    @property
    def absent_alert(self) -> str:
        """Name of the alert that its SLI's inputs vanished: CheckoutAvailabilitySLIAbsent."""
        return f"{self.alert_name or camel(self.service, self.name)}SLIAbsent"

    def alert(self, burn: BurnWindow) -> str:
        """Name of a burn window's alert: CheckoutAvailabilityBudgetBurn1h."""
        return f"{self.alert_name or camel(self.service, self.name)}BudgetBurn{burn.long}"
