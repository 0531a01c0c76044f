"""Which imported rule sets obsgen's own promtool tests must load: those recording what its rules read."""

from __future__ import annotations

from generator.core.promql import names_if_valid
from generator.model import RuleSet
from generator.model.project import Project


def _reads(rule_set: RuleSet) -> set[str]:
    return {name for group in rule_set.groups for rule in group.rules for name in names_if_valid(rule.expr)}


def rule_sets_for_tests(project: Project) -> list[RuleSet]:
    """Rule sets recording series that obsgen's own rules read, directly or through other rule sets.

    Only these are loaded by the promtool tests of the Alerts' examples: the others would only slow
    every evaluation step down and could fire alerts of the same name into the tests.
    """
    rule_sets = project.all(RuleSet)
    wanted = {name for alert in project.alerts.values() for name in names_if_valid(alert.condition)}
    wanted |= {name for rule in project.recording_rules.values() for name in names_if_valid(rule.expr)}
    needed: set[str] = set()
    while wanted:
        found = [rs for rs in rule_sets if rs.name not in needed and wanted & {r.name for r in rs.records()}]
        needed |= {rs.name for rs in found}
        wanted = set().union(*map(_reads, found))
    return [rule_set for rule_set in rule_sets if rule_set.name in needed]
