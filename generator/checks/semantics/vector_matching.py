"""An operation between two vectors whose sides can never match: the alert never fires, the rule records nothing.

Prometheus pairs the series of `a / b` (and of `*`, `>`, `and`, `unless`, ...) whose labels are equal, apart from
those `ignoring (...)` names, or on those `on (...)` names alone (querying/operators, vector matching). When one side
carries a label the other cannot, no pair is ever made: an alert over it is silent whatever happens, a recording
rule records nothing, and an `unless` removes nothing (pint's promql/vector_matching and promql/impossible):

    RecordingRule(name="instance:errors:ratio_rate5m",
                  expr="sum by (job, instance) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m]))")
    Alert(expr="job:errors:rate5m / on (instance) job:requests:rate5m > 0.05", ...)   # neither keeps instance

The labels each side can carry are read as for SM011 (declared metric labels, job, instance, what aggregations
keep); a side reading a series nobody declares may carry anything and is not judged, nor is a label a scrape job
sets on its targets (some of a metric's series may lack it), nor a side of `or`. Alerts, recording rules and
imported rule sets' rules are read (an imported rule by what its aggregations keep only).

Fix: aggregate both sides to the same labels, or say how they match: `ignoring (instance)` for a label only one
side has, `on (job)` with a label both keep, `group_left` when one side has several series per match.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.by_text import remembered, strings, text_decides
from generator.checks.semantics.result_readers import Reader, possible_labels_of
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse, walk
from generator.derive.result_labels import OPEN, Labels, is_scalar
from generator.model import Alert, Definition, RuleSet, ScrapeJob

CODE = "SM012"
READS_EVERY = (ScrapeJob,)  # the labels a failed ScrapeJob would add may be what pairs the sides
NAME = "vectors-never-match"
LEVEL = Level.WARNING


def _has_or(node: Any) -> bool:
    return any(type(n).__name__ == "BinaryExpr" and str(n.op) == "or" for n in walk(node))


def _shown(labels: set[str]) -> str:
    return ", ".join(sorted(labels)) or "no label"


def _unmatched(node: Any, left: Labels, right: Labels, maybe: set[str]) -> str:
    """Why sides carrying these labels never match in the operation ('' when they can)."""
    matching = node.modifier.matching if node.modifier is not None else None
    if matching is not None and str(matching.type).endswith("Include"):
        on = list(matching.labels)
        missing = [f"the {side} side carries no {label!r}" for label in on if label not in maybe
                   for side, labels in (("left", left), ("right", right)) if label not in labels]
        return f"on ({', '.join(on)}): {'; '.join(missing)}" if missing else ""
    ignored = set(matching.labels) if matching is not None else set()
    keys = [set(labels) - ignored - maybe for labels in (left, right)]
    if keys[0] == keys[1]:
        return ""
    how = f" ignoring ({', '.join(sorted(ignored))})" if ignored else ""
    return (f"the left side carries {_shown(keys[0])}, the right {_shown(keys[1])}{how}: "
            f"only one has {_shown(keys[0] ^ keys[1])}")


def _mismatch(node: Any, read: Reader, maybe: set[str]) -> str:
    """Why the operation's sides never match ('' when they can, or when a side is not judged)."""
    left, right = read(node.lhs), read(node.rhs)
    if OPEN in left or OPEN in right:
        return ""
    why = _unmatched(node, left, right, maybe)
    # a side with an `or` is not judged; walked only for an operation that would be reported (few do)
    return "" if why and (_has_or(node.lhs) or _has_or(node.rhs)) else why


def _findings(expr: str, read: Reader, maybe: set[str]) -> Iterator[tuple[str, str]]:
    """(operation, why it never matches) for each such operation of the expression."""
    try:
        root = parse(expr)
    except PromQLError:
        return  # invalid-promql says so
    for node in walk(root):
        if type(node).__name__ != "BinaryExpr" or str(node.op) == "or" or is_scalar(node.lhs) or is_scalar(node.rhs):
            continue
        why = _mismatch(node, read, maybe)
        if why:
            yield str(node.op), why


def rule_expressions(context: Context) -> Iterator[tuple[Definition, tuple[str | int, ...], str, str, bool]]:
    """(definition, field, how messages name it, expression, whether written for this project's scrape jobs)."""
    project = context.project
    for alert in project.all(Alert):
        yield alert, ("expr",) if alert.expr else ("metric",), f"alert {alert.name}", alert.condition, True
    for rule in project.recording_rules.values():
        yield rule, ("expr",), f"recording rule {rule.name}", rule.expr, True
    for rule_set in project.all(RuleSet):
        for g, group in enumerate(rule_set.groups):
            for r, imported in enumerate(group.rules):
                yield (rule_set, ("groups", g, "rules", r, "expr"),
                       f"rule set {rule_set.name}, rule {getattr(imported, 'name', '')}", imported.expr, False)


def _pairs(value: Any) -> list[tuple[str, str]]:
    if type(value) is not list or any(type(pair) is not list or len(pair) != 2 for pair in value):
        raise TypeError("not a list of (operation, why)")
    return [(op, why) for op, why in (strings(pair) for pair in value)]


def _unmatched_operations(context: Context, expr: str, here: bool, maybe: set[str]) -> list[tuple[str, str]]:
    """_findings of a rule; an imported rule's kept across builds when its text decides them."""
    def found() -> list[tuple[str, str]]:
        return list(_findings(expr, possible_labels_of(context, here), maybe if here else set()))
    if here or not text_decides(context.project, expr):
        return found()
    return remembered("unmatched", expr, found, lambda pairs: [list(pair) for pair in pairs], _pairs)


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    maybe = {label for job in project.scrape_jobs for label in job.labels}
    for at, path, what, expr, here in rule_expressions(context):
        outcome = "the alert never fires" if isinstance(at, Alert) else "it returns nothing"
        for op, why in _unmatched_operations(context, expr, here, maybe):
            result = "the unless removes nothing" if op == "unless" else outcome
            yield Finding(at, f"{what}: its '{op}' can never pair a series of one side with one of the other ({why}),"
                              f" so {result}; aggregate both sides to the same labels or match them with on (...) "
                              "/ ignoring (...)", path)
