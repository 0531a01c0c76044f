"""The rule group names obsgen generates, refused as a definition's group (conventions.GROUP_FORMS says which).

A definition's alert or recording rule in a group obsgen writes itself would be merged into it: one rule file, one
evaluation, the generated group's promtool tests; the refusal is at the definition's `group=` line. So is an SLO
whose group (slo-<slug>) is another SLO's with the suffix of its promtool files added (jobs success-absent beside
jobs success): its rule tests would be written over the other's, refused at its `name=` line.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.core.errors import Level, Problem
from generator.load.codes import INVALID_VALUE
from generator.load.locate import locate
from generator.model import AggregationPolicy, Alert, Definition, RecordingRule, RuleSet, conventions
from generator.model.conventions import GroupForm
from generator.model.slo import SLO


def generated_groups(objects: Iterable[Definition]) -> dict[str, tuple[GroupForm, str]]:
    """The names of the forms not refused by prefix that these definitions generate: name -> (its form, the
    definition it comes from, as the message names it)."""
    found: dict[str, tuple[GroupForm, str]] = {}
    for obj in objects:
        if isinstance(obj, SLO):
            found[conventions.slo_group(obj.slug)] = (conventions.SLO_GROUPS, f"SLO {obj.service} {obj.name}")
        elif isinstance(obj, AggregationPolicy):
            for window in obj.windows:
                found[conventions.aggregation_group(obj.name, window)] = (
                    conventions.AGGREGATION_GROUPS, f"AggregationPolicy {obj.name}, window {window}")
        elif isinstance(obj, RuleSet):
            found[conventions.RULE_SET_FILES.name(obj.name)] = (conventions.RULE_SET_FILES, f"RuleSet {obj.name}")
    return found


def colliding_slos(every: Iterable[Definition]) -> list[Problem]:
    """An error at the `name=` line of each SLO whose slug is another's with a suffix of its promtool files added
    (conventions.SLO_TEST_SUFFIXES): x-absent's rule tests, slo-x-absent.yml, would be x's absent tests."""
    slos = [obj for obj in every if isinstance(obj, SLO)]
    by_slug = {slo.slug: slo for slo in slos}
    problems = []
    for slo in slos:
        for suffix, tested in conventions.SLO_TEST_SUFFIXES.items():
            other = by_slug.get(slo.slug.removesuffix(suffix)) if slo.slug.endswith(suffix) else None
            if other is not None:
                path = f"{conventions.RULE_TESTS_DIR}/{conventions.slo_group(slo.slug)}.yml"
                problems.append(Problem(locate(slo, "name"), INVALID_VALUE, Level.ERROR,
                                        f"SLO: name: SLO {slo.service} {slo.name} would write its rule tests to "
                                        f"{path}, SLO {other.service} {other.name}'s promtool tests of {tested}: "
                                        "name it otherwise", (other.location,)))
    return problems


def refused_groups(defined: Iterable[Definition], every: Iterable[Definition]) -> list[Problem]:
    """An error at the `group=` line of each defined (not derived) alert or recording rule whose group is one
    obsgen generates from `every` definition of the project."""
    generated = generated_groups(every)
    problems = []
    for obj in defined:
        if isinstance(obj, Alert | RecordingRule):
            why = conventions.refused_group(obj.group, generated)
            if why:
                problems.append(Problem(locate(obj, "group"), INVALID_VALUE, Level.ERROR,
                                        f"{type(obj).__name__}: group: {why}"))  # as a field's refusal reads
    return problems
