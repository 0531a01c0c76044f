"""The rule file a promtool test of some of a group's alerts at their own interval (a long history: rule_tests)
loads instead of the shipped group files: those alerts and the recording rules they read, transitively, each entry
as written to prometheus/rules/ (cut from the same rendered groups, so it cannot differ from what Prometheus loads).

promtool evaluates every loaded rule at every step of every test: a week-long example at 4 minutes (RevenueDrop's,
`offset 1w`) is 2,600 steps, and the group's other alerts (JobMissing firing all week on an input without the
other jobs' `up`, its annotations rendered at each step) cost it about ten times what the alert under test does.
A cut keeps each kept group's name, settings and the kept rules' order, so the evaluation order the test reads
(group_eval_order, and within a group) is the shipped one. It is not made where an expression reads ALERTS or
ALERTS_FOR_STATE (another alert's state), a series an imported rule set records, or series by no fixed name
({__name__=~"job:.*"}, which may be any rule's): the test loads the whole files.
"""

from __future__ import annotations

from typing import Any

from generator.core.promql import PromQLError, names_if_valid, selectors
from generator.model.project import Project

CUTS_DIR = "prometheus/tests/rules"
"""Where the cut rule files are written: beside the tests that load them, out of Prometheus' rules/*.yml."""

_ALERT_STATES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})


def reads_unnamed(expr: str) -> bool:
    """Whether an expression selects series by no fixed name ({__name__=~"job:.*"}): what it reads may be any
    rule's, which following names cannot tell; False where it does not parse (a check reports that)."""
    try:
        return any(not selector.name for selector in selectors(expr))
    except PromQLError:
        return False


def _recorded_closure(project: Project, alerts: set[str], imported: set[str]) -> set[str] | None:
    """The recording rules the alerts read, transitively; None where one of them reads an alert's state or an
    imported rule set's series (what those read is not followed here), or series by no fixed name."""
    kept: set[str] = set()
    todo = [project.alerts[name].condition for name in sorted(alerts)]
    while todo:
        expr = todo.pop()
        if reads_unnamed(expr):
            return None
        for name in names_if_valid(expr):
            if name in _ALERT_STATES or name in imported:
                return None
            rule = project.recording_rules.get(name)
            if rule is not None and name not in kept:
                kept.add(name)
                todo.append(rule.expr)
    return kept


def cut(project: Project, groups: dict[str, dict[str, Any]], loaded: list[str], alerts: set[str],
        imported: set[str]) -> dict[str, Any] | None:
    """The rule file holding only the `alerts` and what they read, of the groups a test would load (`loaded`,
    rendered as `groups`, rule_groups' result); None where it holds every rule of those (nothing to cut) or
    cannot be cut."""
    recorded = _recorded_closure(project, alerts, imported)
    if recorded is None:
        return None
    kept_groups, dropped = [], 0
    for name in loaded:
        group = groups[name]["groups"][0]
        rules = [rule for rule in group["rules"] if rule.get("alert") in alerts or rule.get("record") in recorded]
        dropped += len(group["rules"]) - len(rules)
        if rules:
            kept_groups.append({**group, "rules": rules})
    return {"groups": kept_groups} if dropped else None


def cut_groups(document: dict[str, Any]) -> list[str]:
    """The names of the groups a cut holds, in file order."""
    return [group["name"] for group in document["groups"]]
