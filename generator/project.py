"""load(definitions_dir) -> Project: import every module, collect the model objects, link and check them."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from pydantic import ValidationError

from generator.errors import UNKNOWN, DefinitionError, Location
from generator.interop import adopt
from generator.model import (
    AggregationPolicy,
    Alert,
    AlertingConfig,
    Channel,
    Definition,
    EscalationPolicy,
    Metric,
    RecordingRule,
    RetentionPolicy,
    ScrapeJob,
    Severity,
    Stack,
)
from generator.model.aggregation import expand
from generator.model.slo import SLO
from generator.overrides import apply_overrides
from generator.slo.dashboard import slo_dashboards
from generator.slo.rules import expand as expand_slo

D = TypeVar("D", bound=Definition)


@dataclass(frozen=True)
class Warning:
    """A request the stack cannot honour one-to-one, and what obsgen did instead."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


@dataclass(frozen=True)
class Project:
    """Everything the definitions declare, linked and checked; the only input of every target."""

    root: Path
    stack: Stack
    alerting: AlertingConfig
    objects: tuple[Definition, ...]
    recording_rules: Mapping[str, RecordingRule]
    warnings: list[Warning] = field(default_factory=list)
    profile: Any = None
    """The generator.profile.Profile it was compiled under; None for the build of out/."""
    _kinds: dict[type, list[Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """all()'s answers: targets ask for the same kinds hundreds of times, and objects never change."""

    def all(self, kind: type[D]) -> list[D]:
        """Every declared object of a kind, in definition order."""
        found = self._kinds.get(kind)
        if found is None:
            found = self._kinds[kind] = [obj for obj in self.objects if isinstance(obj, kind)]
        return list(found)

    def by_name(self, kind: type[D]) -> dict[str, D]:
        """Declared objects of a kind keyed by their name."""
        return {getattr(obj, "name"): obj for obj in self.all(kind)}  # noqa: B009

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

    def relative(self, location: Location) -> Location:
        """A location with its file relative to the definitions' parent, as printed to users."""
        try:
            return Location(str(Path(location.file).relative_to(self.root.parent)), location.line)
        except ValueError:
            return location


def _definitions_frame(tb: Any, root: Path) -> Location:
    """The innermost traceback frame inside the definitions directory."""
    found = UNKNOWN
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename).resolve().is_relative_to(root):
            found = Location(frame.filename, frame.lineno or 0)
    return found


def _describe(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        errors = error.errors()
        first = errors[0]
        field_errors = [e for e in errors if e["loc"][:1] == first["loc"][:1]]
        where = str(first["loc"][0]) if first["loc"] else ""
        if len(field_errors) > 1:  # a union field: say what was given and every form it accepts
            accepted = ", or ".join(dict.fromkeys(e["msg"] for e in field_errors))
            message = f"got {first['input']!r} ({type(first['input']).__name__}); {accepted}"
        else:
            message = ".".join(str(p) for p in first["loc"][1:] if not isinstance(p, int))
            message = (message + ": " if message else "") + first["msg"].removeprefix("Value error, ")
        more = len(errors) - len(field_errors)
        suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        return f"{error.title}{': ' + where if where else ''}: {message}{suffix}"
    if isinstance(error, SyntaxError):
        return f"Python syntax error: {error.msg}"
    return f"{type(error).__name__}: {error}"


def _import_all(root: Path) -> Iterator[ModuleType]:
    """Import each module of the definitions package, under a name that is forgotten afterwards."""
    package = root.name
    saved = {name: mod for name, mod in sys.modules.items() if name == package or name.startswith(package + ".")}
    for name in saved:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(package, root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[package] = pkg
    try:
        if (root / "__init__.py").exists():
            spec.loader.exec_module(pkg)
        for path in sorted(root.glob("*.py")):
            if path.name == "__init__.py":
                continue
            name = f"{package}.{path.stem}"
            try:
                yield sys.modules.get(name) or importlib.import_module(name)
            except DefinitionError:
                raise
            except Exception as error:
                location = _definitions_frame(error.__traceback__, root)
                if isinstance(error, SyntaxError) and error.filename:
                    location = Location(error.filename, error.lineno or 0)
                raise DefinitionError(location, _describe(error)) from None
    finally:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


def _collect(value: Any, seen: dict[int, Definition], depth: int = 0) -> None:
    if isinstance(value, Definition):
        seen.setdefault(id(value), value)
    elif depth < 3 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, seen, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            _collect(item, seen, depth + 1)


def _single(objects: list[Definition], kind: type[D], root: Path) -> D:
    found = [obj for obj in objects if isinstance(obj, kind)]
    if len(found) != 1:
        where = found[1].location if len(found) > 1 else Location(str(root), 0)
        raise DefinitionError(where, f"exactly one {kind.__name__} must be defined, found {len(found)}")
    return found[0]


def load(definitions_dir: Path) -> Project:
    """Import every module under definitions_dir and return the checked Project (DefinitionError if not)."""
    from generator.crossref import check

    root = definitions_dir.resolve()
    if not root.is_dir():
        raise DefinitionError(Location(str(definitions_dir), 0), "definitions directory does not exist")
    seen: dict[int, Definition] = {}
    for module in _import_all(root):
        for name, value in vars(module).items():
            if not name.startswith("_"):
                _collect(adopt(value, module, name), seen)
    objects = sorted(seen.values(), key=lambda obj: obj.location)
    warnings: list[Warning] = []
    rules: dict[str, RecordingRule] = {}
    for obj in objects:
        if isinstance(obj, AggregationPolicy):
            expanded, notes = expand(obj)
            warnings.extend(Warning(obj.location, note) for note in notes)
            objects.extend(expanded)
        elif isinstance(obj, SLO):
            slo_rules, slo_alerts = expand_slo(obj)
            objects.extend([*slo_rules, *slo_alerts])
    objects.extend(slo_dashboards(objects))
    objects = apply_overrides(objects)
    for rule in (obj for obj in objects if isinstance(obj, RecordingRule)):
        if rule.name in rules:
            first = rules[rule.name].location
            raise DefinitionError(rule.location, f"recording rule {rule.name} is already defined at {first}")
        rules[rule.name] = rule
    project = Project(
        root=root,
        stack=_single(objects, Stack, root),
        alerting=_single(objects, AlertingConfig, root),
        objects=tuple(objects),
        recording_rules=rules,
        warnings=warnings,
    )
    check(project)
    return project
