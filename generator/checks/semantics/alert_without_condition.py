"""An alert whose expression has no condition: it fires for every series it returns, as long as they exist.

Prometheus fires an alerting rule for each series its expression returns, whatever the value: `rate(errors[5m])`
pages while errors is 0, and so does `x > bool 5` (a comparison with bool returns 0 or 1 and keeps every series),
or `errors > 1 or rate(timeouts[5m])` (one side of the or always returns). pint's alerts/comparison reports the
three shapes; this check does too, for obsgen's alerts and imported rule sets' alerts:

    Alert(name="ErrorsSeen", expr="sum by (job) (rate(errors_total[5m]))", ...)     # fires while the job runs

A comparison anywhere in the expression, an `unless`, or absent()/absent_over_time() (which return a series only
when what they ask about is missing) make a condition. An alert that reads no series (`vector(1)`) or has a
heartbeat is a dead man's switch that always fires on purpose, and is not reported.

Fix: compare with the threshold that matters (`> 0`, `== 0`), or drop bool in the alert's comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, NamedTuple

from generator.checks.base import Context, Finding
from generator.checks.semantics.by_text import remembered, string
from generator.checks.semantics.shapes import has_selector
from generator.core.errors import Level
from generator.core.promql import ABSENCE_FUNCTIONS, COMPARISONS, PromQLError, parse, unparen, walk
from generator.model import Alert, Definition, RuleSet
from generator.model.rulesets import ImportedAlert

CODE = "SM013"
NAME = "alert-without-condition"
LEVEL = Level.WARNING


def _condition(node: Any) -> Any:
    """The first comparison or unless under a node (None when there is none)."""
    return next((n for n in walk(node) if type(n).__name__ == "BinaryExpr"
                 and (str(n.op) in COMPARISONS or str(n.op) == "unless")), None)


def _shown(node: Any) -> str:
    """A node as PromQL, without the empty braces the parser prints after a bare series name."""
    return repr(str(node).replace("{}", ""))


def _asks_absence(node: Any) -> bool:
    return any(type(n).__name__ == "Call" and str(n.func.name) in ABSENCE_FUNCTIONS for n in walk(node))


def why_always(expr: str) -> str:
    """Why the alert fires for every series its expression reads ('' when it has a condition)."""
    try:
        root = unparen(parse(expr))
    except PromQLError:
        return ""  # invalid-promql says so
    if not has_selector(root) or _asks_absence(root):
        return ""
    if type(root).__name__ == "BinaryExpr" and str(root.op) == "or":
        sides = [side for side in (root.lhs, root.rhs) if _condition(side) is None]
        if sides:
            return f"a side of its top-level or, {_shown(sides[0])}, has no condition and always returns its series"
    condition = _condition(root)
    if condition is None:
        return "it has no comparison: every series it returns fires, whatever its value"
    returns_bool = condition.modifier is not None and condition.modifier.return_bool
    if returns_bool and _condition(condition.lhs) is None and _condition(condition.rhs) is None:
        return f"its comparison uses bool ({_shown(condition)}), which returns 0 or 1 for every series instead of " \
               "dropping those that do not match"
    return ""


class Condition(NamedTuple):
    """An alert but a heartbeat, obsgen's or an imported rule set's, as the checks of its condition read it."""

    at: Definition
    path: tuple[str | int, ...]
    """Its condition field's path."""
    what: str
    """How a message names it."""
    expr: str
    held: str
    """Its `for` ("" for none)."""
    held_path: tuple[str | int, ...]
    """Its `for` field's path."""


def conditions(context: Context) -> Iterator[Condition]:
    """Each alert but a heartbeat, obsgen's and imported rule sets'."""
    for alert in context.project.all(Alert):
        if alert.heartbeat is None:
            yield Condition(alert, ("expr",) if alert.expr else ("metric",), f"alert {alert.name}", alert.condition,
                            alert.for_, ("for",))
    for rule_set in context.project.all(RuleSet):
        for g, group in enumerate(rule_set.groups):
            for r, rule in enumerate(group.rules):
                if isinstance(rule, ImportedAlert):
                    rule_path = ("groups", g, "rules", r)
                    yield Condition(rule_set, (*rule_path, "expr"), f"rule set {rule_set.name}, alert {rule.name}",
                                    rule.expr, rule.for_ or "", (*rule_path, "for_"))


def check(context: Context) -> Iterator[Finding]:
    for at, path, what, expr, *_ in conditions(context):
        why = remembered("always", expr, partial(why_always, expr), str, string)  # its text alone decides
        if why:
            yield Finding(at, f"{what} fires as long as its series exist: {why}; compare with the threshold that "
                              "matters (> 0, == 0)", path)
