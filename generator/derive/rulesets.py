"""Which imported rule sets obsgen's own promtool tests must load (those recording what its rules read), and what
each rule group those tests load reads and records, by group name, which orders the groups in a test
(targets.rule_tests.group_eval_order) and finds the two groups of one name it cannot order (check MP007)."""

from __future__ import annotations

from collections import defaultdict

from generator.core.promql import names_if_valid
from generator.derive.escalation import alert_escalation
from generator.model import RuleSet
from generator.model.project import Project
from generator.model.rulesets import ImportedRecord, RuleGroup

Series = dict[str, set[str]]
"""Metric names by rule group name."""


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


def group_series(project: Project) -> tuple[Series, Series]:
    """What each of obsgen's rule groups reads and what it records, by group name: a group's alerts' conditions (an
    escalation group's rules value each copy by its alert's condition) and its recording rules' expressions read; its
    recording rules record. An expression that does not parse reads nothing here (a check reports it)."""
    reads: Series = defaultdict(set)
    records: Series = defaultdict(set)
    for alert in project.alerts.values():
        for group in {alert.group, *(level.group for level in alert_escalation(project, alert)[:1])}:
            reads[group] |= names_if_valid(alert.condition)
    for rule in project.recording_rules.values():
        reads[rule.group] |= names_if_valid(rule.expr)
        records[rule.group].add(rule.name)
    return reads, records


def imported_series(group: RuleGroup) -> tuple[set[str], set[str]]:
    """What an imported rule group reads and what it records."""
    return (set().union(*(names_if_valid(rule.expr) for rule in group.rules)),
            {rule.name for rule in group.rules if isinstance(rule, ImportedRecord)})
