"""The Project: everything the definitions declare, linked and checked; the only input of every target."""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from generator.core.errors import Location
from generator.model import (
    Alert,
    AlertingConfig,
    Channel,
    Definition,
    EscalationPolicy,
    ExporterSettings,
    Metric,
    RecordingRule,
    RetentionPolicy,
    ScrapeJob,
    Severity,
    Stack,
)
from generator.model.alerts import AlertRule
from generator.model.profile import Profile

D = TypeVar("D", bound=Definition)
T = TypeVar("T")


@dataclass(frozen=True)
class Project:
    """Everything the definitions declare, linked and checked; the only input of every target."""

    root: Path
    stack: Stack
    alerting: AlertingConfig
    objects: tuple[Definition, ...]
    recording_rules: Mapping[str, RecordingRule]
    profile: Profile | None = None
    """The profile it was compiled under (a test's or a live demo's); None for the build of out/."""
    _kinds: dict[type, list[Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """all()'s answers: targets ask for the same kinds hundreds of times, and objects never change."""

    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """derived()'s answers, by key."""

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A derivation's answer, computed once per project: `key` names the derivation and everything it reads
        besides the project (which never changes). The answer is shared: callers must not change it."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[no-any-return]

    def all(self, kind: type[D]) -> list[D]:
        """Every declared object of a kind, in definition order."""
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = [obj for obj in self.objects if isinstance(obj, kind)]
        return list(found)

    def by_name(self, kind: type[D]) -> dict[str, D]:
        """Declared objects of a kind keyed by their name; of two of one name (XR001's error), the first declared,
        as the loader links recording rules: what reads the name is checked against one definition, not the copy
        that replaced it, so a second team's duplicate does not also fail the first team's alerts and SLOs."""
        named: dict[str, D] = {}
        for obj in self.all(kind):
            named.setdefault(getattr(obj, "name"), obj)  # noqa: B009
        return named

    @property
    def metrics(self) -> dict[str, Metric]:
        """Exported metric families by name."""
        return self.by_name(Metric)

    @property
    def alerts(self) -> dict[str, Alert]:
        """Alert rules by name."""
        return self.by_name(Alert)

    @property
    def channels(self) -> dict[str, Channel]:
        """Notification channels by name."""
        return self.by_name(Channel)

    @property
    def escalation_policies(self) -> dict[str, EscalationPolicy]:
        """Escalation policies by name."""
        return self.by_name(EscalationPolicy)

    @property
    def scrape_jobs(self) -> list[ScrapeJob]:
        """Scrape jobs in definition order."""
        return self.all(ScrapeJob)

    @property
    def exporter(self) -> ExporterSettings:
        """The sidecar exporter's settings: the declared ones, or the defaults when none is declared."""
        declared = self.all(ExporterSettings)
        return declared[0] if declared else ExporterSettings()

    @property
    def retention(self) -> RetentionPolicy | None:
        """The retention policy, if one is declared."""
        policies = self.all(RetentionPolicy)
        return policies[0] if policies else None

    def severity_of(self, alert: Alert) -> Severity:
        """The declared severity of an alert (the loader guarantees it exists)."""
        severity = self.alerting.severity(alert.severity)
        if severity is None:
            raise KeyError(f"alert {alert.name} has undeclared severity {alert.severity}")
        return severity

    def alert_channels(self, alert: Alert) -> tuple[str, ...]:
        """Channels an alert notifies: its severity's, then its own extra ones."""
        return tuple(dict.fromkeys((*self.severity_of(alert).channels, *alert.channels)))

    def own_channels(self, alert: Alert) -> tuple[str, ...]:
        """Channels an alert notifies beyond its severity's."""
        return tuple(name for name in alert.channels if name not in self.severity_of(alert).channels)

    def escalation_of(self, alert: AlertRule) -> EscalationPolicy | None:
        """The policy an alert climbs while unresolved: its own, else its severity's; None if it does not escalate."""
        severity = self.alerting.severity(alert.severity)
        name = alert.escalation if alert.escalation is not None else severity.escalation if severity else ""
        return self.escalation_policies.get(name) if name else None

    def relative(self, location: Location) -> Location:
        """A location with its file relative to the definitions' parent, as printed to users."""
        try:
            return Location(str(Path(location.file).relative_to(self.root.parent)), location.line)
        except ValueError:
            return location
