"""definitions/ -> Project: run every module, collect the model objects, expand them and link them.

Nothing here stops at the first mistake: the loader returns the project it could build with every problem it met,
and what failed statements would have defined, so the checks neither stop nor report the same mistake twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from generator.core.errors import DefinitionError, Level, Location, Problem
from generator.derive.aggregation import expand
from generator.derive.job_missing import derived as every_job_derived
from generator.derive.job_missing import unwatched
from generator.derive.overrides import apply_overrides
from generator.derive.slo.dashboard import slo_dashboards
from generator.derive.slo.rules import expand as expand_slo
from generator.load.adopt import adopt
from generator.load.codes import FOREIGN_OBJECT, INVALID_VALUE, ONE_REQUIRED, OVERRIDE_TARGET, PYTHON_ERROR
from generator.load.locate import locate, newest_first
from generator.load.modules import Unresolved, import_definitions
from generator.load.profiles import held, stray_profiles
from generator.load.reserved import colliding_slos, refused_groups
from generator.load.warm import WarmModules
from generator.model import AggregationPolicy, AlertingConfig, Definition, Metric, RecordingRule, ScrapeJob, Stack
from generator.model.project import Project
from generator.model.slo import SLO

D = TypeVar("D", bound=Definition)


@dataclass(frozen=True)
class Loaded:
    """What loading found: the project (None when it cannot be built), the problems, what failed to be defined."""

    project: Project | None
    problems: list[Problem]
    unresolved: Unresolved


def _single(objects: list[Definition], kind: type[D], root: Path, unresolved: Unresolved,
            problems: list[Problem]) -> D | None:
    found = [obj for obj in objects if isinstance(obj, kind)]
    if len(found) == 1:
        return found[0]
    if not found and unresolved.any_of(kind):
        return None  # its statement failed, and said so
    newest = newest_first(found)
    where = newest[0].location if found else Location(str(root), 0)
    also = f" (the other is at {newest[1].location})" if found else ""
    problems.append(Problem(where, ONE_REQUIRED, Level.ERROR,
                            f"exactly one {kind.__name__} must be defined, found {len(found)}{also}"))
    return None


def _expanded(objects: list[Definition]) -> tuple[list[Definition], list[Problem]]:
    """The objects with what aggregation policies and SLOs expand into (rules, alerts, dashboards), and the expr
    of an alert over every scrape job (JobMissing) written over the jobs declared (derive/job_missing.py); with no
    job declared, such an alert is refused at its `when=` line and left out."""
    families = {name: obj for obj in objects if isinstance(obj, Metric) for name in obj.series_names()}
    scrape_jobs = [obj for obj in objects if isinstance(obj, ScrapeJob)]
    for obj in list(objects):
        if isinstance(obj, AggregationPolicy):
            objects.extend(expand(obj)[0])
        elif isinstance(obj, SLO):
            slo_rules, slo_alerts = expand_slo(obj, families, scrape_jobs)
            objects.extend([*slo_rules, *slo_alerts])
    objects.extend(slo_dashboards(objects, families))
    derived, refused = every_job_derived(objects)
    return derived, [Problem(locate(alert, "when"), INVALID_VALUE, Level.ERROR, unwatched(alert)) for alert in refused]


def load(definitions_dir: Path, warm: WarmModules | None = None) -> Loaded:
    """Run every module under definitions_dir (with warm: those that changed since its last load) and link what
    they define."""
    root = definitions_dir.resolve()
    if not root.is_dir():
        missing = Problem(Location(str(definitions_dir), 0), PYTHON_ERROR, Level.ERROR,
                          "definitions directory does not exist (run obsgen in a project's directory, give "
                          "--definitions DIR, or start a project with `obsgen init DIR`)")
        return Loaded(None, [missing], Unresolved())
    imported = import_definitions(root, warm)
    problems = [*imported.problems, *stray_profiles(imported.modules)]
    seen: dict[int, Definition] = {}
    for module in imported.modules:
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue
            try:
                for definition in held(adopt(value, module, name), Definition):
                    seen.setdefault(id(definition), definition)
            except DefinitionError as error:
                problems.append(Problem(error.location, FOREIGN_OBJECT, Level.ERROR, error.message))
    defined = sorted(seen.values(), key=lambda obj: obj.location)
    objects, unwatched_alerts = _expanded(list(defined))
    objects, failed_overrides = apply_overrides(objects)
    problems += unwatched_alerts + refused_groups(defined, objects) + colliding_slos(objects)
    problems += [Problem(error.location, OVERRIDE_TARGET, Level.ERROR, error.message) for error in failed_overrides]
    rules: dict[str, RecordingRule] = {}
    for rule in (obj for obj in objects if isinstance(obj, RecordingRule)):
        rules.setdefault(rule.name, rule)  # a second rule of one name is the duplicate-name check's finding
    stack = _single(objects, Stack, root, imported.unresolved, problems)
    alerting = _single(objects, AlertingConfig, root, imported.unresolved, problems)
    if stack is None or alerting is None:
        return Loaded(None, problems, imported.unresolved)
    project = Project(root=root, stack=stack, alerting=alerting, objects=tuple(objects), recording_rules=rules)
    return Loaded(project, problems, imported.unresolved)
