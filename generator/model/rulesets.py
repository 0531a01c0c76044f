"""Rules taken in from elsewhere (an existing rule file, a monitoring mixin): kept as written, parsed, adjustable.

Imported rules follow someone else's conventions (alert names, severities such as "none", recording
rules named without three parts, one series recorded by several rules with different labels), so
they are not re-modelled as Alert/RecordingRule: each expression is parsed when the object is built,
and every other field is carried verbatim. What they lack compared to an Alert (examples, hence
promtool tests) is reported as a build warning, not invented.
"""

import re
import unicodedata
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.core.promql import PromQLError, check_syntax
from generator.model.base import Definition, Model
from generator.model.metrics import LABEL_NAME, METRIC_NAME
from generator.model.numbers import Finite
from generator.model.templates import GoTemplate

RULE_SET_NAME = re.compile(r"^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$")


def _label_names(labels: dict[str, str], what: str) -> dict[str, str]:
    for name in labels:
        if not LABEL_NAME.match(name):
            raise ValueError(f"{what} name {name!r} is not a valid label name")
    return labels


def valid_metric_name(name: str, what: str) -> str:
    """The name, if it is a valid Prometheus series name (ValueError naming `what` otherwise)."""
    if not METRIC_NAME.match(name):
        raise ValueError(f"{what} {name!r} is not a valid Prometheus name")
    return name


class ImportedRule(Model):
    """What alerting and recording rules share: a PromQL expression and labels added to its result."""

    expr: str = Field(min_length=1, description="PromQL, exactly as written in the source.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels added to the result, in source order.")

    @field_validator("expr")
    @classmethod
    def _parses(cls, expr: str) -> str:
        try:
            check_syntax(expr)
        except PromQLError as error:
            raise ValueError(str(error)) from None
        return expr

    @field_validator("labels")
    @classmethod
    def _valid_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        return _label_names(labels, "label")


class ImportedAlert(ImportedRule):
    """An alerting rule kept as written (no examples: no promtool test covers it)."""

    name: str = Field(description="The rule's `alert` name.")
    for_: Duration | None = Field(default=None, alias="for", description=(
        "How long the condition must hold; None when the source does not say (written as given, `for: 0s` too)."))
    keep_firing_for: Duration | None = Field(default=None, description="How long it keeps firing after the condition "
                                                                        "clears; None when the source does not say.")
    annotations: dict[str, GoTemplate] = Field(default_factory=dict, description="Annotations, in source order.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        # Prometheus takes any text as an alert's name (its alertname label: awesome-prometheus-alerts names one
        # SslCertificateExpiry(<7Days)); obsgen writes an imported one as a quoted value only: in its rule file (YAML),
        # the definitions module (a Python literal), the Alertmanager template's dashboard leads (a Go string literal)
        # and obsgen diff (code in markdown).
        # A control character would be one a terminal acts on when the name is printed.
        if not name or any(unicodedata.category(char) == "Cc" for char in name):
            raise ValueError(f"alert name {name!r} is empty or holds a control character")
        return name

    @field_validator("annotations")
    @classmethod
    def _valid_annotations(cls, annotations: dict[str, str]) -> dict[str, str]:
        return _label_names(annotations, "annotation")

    @property
    def severity(self) -> str:
        """The severity label, "" when it has none."""
        return self.labels.get("severity", "")


class ImportedRecord(ImportedRule):
    """A recording rule kept as written."""

    name: str = Field(description="The rule's `record` name: the series it writes.")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        return valid_metric_name(name, "recording rule name")


class RuleGroup(Model):
    """A Prometheus rule group: rules evaluated in order, at one interval."""

    name: str = Field(min_length=1, description="Group name, unique in its rule set.")
    interval: Duration | None = Field(default=None, description="Evaluation interval; the server's when unset.")
    limit: int | None = Field(default=None, ge=0, description="Most alerts/series a rule may produce (0: no limit).")
    query_offset: Duration | None = Field(default=None, description="How far back in time rules evaluate.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels added to every rule of the group.")
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Group fields obsgen does not model (e.g. Thanos' partial_response_strategy), kept verbatim.",
    )
    rules: tuple[ImportedAlert | ImportedRecord, ...] = Field(min_length=1, description="Rules, in evaluation order.")

    @field_validator("labels")
    @classmethod
    def _valid_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        return _label_names(labels, "group label")


class RuleSet(Definition):
    """Rule groups from another source, e.g. an imported rule file or a vendored monitoring mixin."""

    name: str = Field(description="Name overrides refer to; also names its rule file.")
    source: str = Field(default="", description="Where the rules came from (file, URL, mixin and version).")
    groups: tuple[RuleGroup, ...] = Field(min_length=1, description="Rule groups, in file order.")
    external_series: tuple[str, ...] = Field(
        default=(),
        description="Series the rules read that systems outside definitions/ export (kube-state-metrics, kubelet...).",
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not RULE_SET_NAME.match(name):
            raise ValueError(f"rule set name {name!r} must be lower-case letters, digits, '-', '_' or '.'")
        return name

    @field_validator("external_series")
    @classmethod
    def _valid_series(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            valid_metric_name(name, "external series")
        return names

    @model_validator(mode="after")
    def _unique_groups(self) -> Self:
        names = [group.name for group in self.groups]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"rule group names repeat: {', '.join(repeated)} (Prometheus needs them unique per file)")
        return self

    def alerts(self) -> list[ImportedAlert]:
        """Every alerting rule, in file order."""
        return [rule for group in self.groups for rule in group.rules if isinstance(rule, ImportedAlert)]

    def records(self) -> list[ImportedRecord]:
        """Every recording rule, in file order."""
        return [rule for group in self.groups for rule in group.rules if isinstance(rule, ImportedRecord)]


class AlertOverride(Definition):
    """A change to an alert of a rule set, kept apart from the rules so they can be re-imported unchanged."""

    rule_set: str = Field(description="Name of the RuleSet holding the alert.")
    alert: str = Field(description="Alert name; every rule of that name is changed.")
    match_labels: dict[str, str] = Field(
        default_factory=dict, description="Only the rules of that name with these labels (e.g. one severity)."
    )
    disable: bool = Field(default=False, description="Drop the alert from the output.")
    threshold: Finite | None = Field(default=None, description="New number the condition compares to.")
    current_threshold: Finite | None = Field(
        default=None, description="The number replaced, needed when the expression compares against several."
    )
    for_: Duration | None = Field(default=None, alias="for", description="New `for`.")
    severity: str | None = Field(default=None, description="New severity label (a declared severity).")

    @model_validator(mode="after")
    def _one_kind_of_change(self) -> Self:
        changes = [self.threshold is not None, self.for_ is not None, self.severity is not None]
        if self.disable and any(changes):
            raise ValueError("disable=True drops the alert: give no other change with it")
        if not self.disable and not any(changes):
            raise ValueError("an override changes something: give threshold, for, severity or disable=True")
        if self.current_threshold is not None and self.threshold is None:
            raise ValueError("current_threshold only says which threshold `threshold` replaces")
        return self
