"""The label names an expression's result carries, as Prometheus computes them: what the demo draws per recording
rule, and the rows a dashboard's state timeline will show.

`sum(rate(x[5m]))` is one series with no label, `sum by (job) (...)` one per job, `a / on (job) b` keeps job
alone, `a / ignoring (x) b` and `group_left` keep a side's labels, and a recorded input brings its own rule's
labels, static ones included (with their values: a static label is one series, not one per value). A selector of
a metric brings the metric's labels with job and instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.core.promql import ABSENCE_FUNCTIONS, parse
from generator.model.project import Project

TARGET = ("job", "instance")
"""The labels every scraped series carries."""
KEEPS_INPUT = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
"""Aggregations that select series rather than combine them: their result keeps its input's labels."""
SCALARS = frozenset({"scalar", "time", "pi"})
Labels = tuple[str, ...]


def _union(*parts: Labels) -> Labels:
    return tuple(dict.fromkeys(label for part in parts for label in part))


def _without(labels: Labels, dropped: Labels) -> Labels:
    return tuple(label for label in labels if label not in dropped)


def _scalar(node: Any) -> bool:
    """Whether an expression is a number rather than a vector (`2 * 0.01`, `scalar(x)`, `time()`)."""
    kind = type(node).__name__
    if kind in ("NumberLiteral", "StringLiteral"):
        return True
    if kind in ("ParenExpr", "UnaryExpr"):
        return _scalar(node.expr)
    if kind == "Call":
        return str(node.func.name) in SCALARS
    return kind == "BinaryExpr" and _scalar(node.lhs) and _scalar(node.rhs)


class _Rules:
    """Kept labels of expressions over one project's metrics and recording rules."""

    def __init__(self, project: Project, metric_labels: Callable[[str], Labels | None]) -> None:
        self.project = project
        self.metric_labels = metric_labels
        self.seen: set[str] = set()
        self.static: dict[str, str] = {}
        """Values of the static labels met, the outermost rule's last (it overrides what it reads)."""

    def of_rule(self, name: str) -> Labels:
        rule = self.project.recording_rules[name]
        if name in self.seen:  # a rule reading itself, through others: no labels to learn from it
            return tuple(rule.labels)
        self.seen.add(name)
        try:
            kept = self.kept(parse(rule.expr))
        finally:
            self.seen.discard(name)
        self.static.update(rule.labels)
        return _union(kept, tuple(rule.labels))

    def kept(self, node: Any) -> Labels:
        kind = type(node).__name__
        if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
            return self.kept(node.expr)
        if kind == "MatrixSelector":
            return self.kept(node.vector_selector)
        if kind == "VectorSelector":
            if node.name in self.project.recording_rules:
                return self.of_rule(node.name)
            return _union(TARGET, self.metric_labels(node.name) or ())
        if kind == "AggregateExpr":
            return self._aggregated(node)
        if kind == "Call":
            return self._called(node)
        if kind == "BinaryExpr":
            return self._matched(node)
        return ()  # a number or a string

    def _aggregated(self, node: Any) -> Labels:
        if str(node.op) in KEEPS_INPUT:
            return self.kept(node.expr)
        if node.modifier is None:
            return ()
        labels = tuple(node.modifier.labels)
        if str(node.modifier.type).endswith("Without"):
            return _without(self.kept(node.expr), labels)
        return labels

    def _called(self, node: Any) -> Labels:
        name, args = str(node.func.name), list(node.args or ())
        vectors = [arg for arg in args if not _scalar(arg)]
        if name in SCALARS or name == "vector" or name in ABSENCE_FUNCTIONS or not vectors:
            return ()
        kept = self.kept(vectors[0])
        if name == "histogram_quantile":
            return _without(kept, ("le",))
        if name in ("label_replace", "label_join") and len(args) > 1:
            return _union(kept, (str(args[1].val),))
        return kept

    def _matched(self, node: Any) -> Labels:
        lhs, rhs = node.lhs, node.rhs
        if _scalar(lhs) or _scalar(rhs):
            return self.kept(rhs if _scalar(lhs) else lhs)
        modifier = node.modifier
        if modifier is None or str(node.op) in ("and", "or", "unless"):
            return self.kept(lhs)
        card = str(modifier.card)
        if card.endswith(("ManyToOne", "OneToMany")):  # group_left / group_right: the many side, and what it takes
            many = lhs if card.endswith("ManyToOne") else rhs
            return _union(self.kept(many), tuple(modifier.group_labels or ()))
        matching = modifier.matching
        if matching is None:
            return self.kept(lhs)
        if str(matching.type).endswith("Include"):  # on (...): one to one keeps exactly those
            return tuple(matching.labels)
        return _without(self.kept(lhs), tuple(matching.labels))


def recorded_labels(project: Project, name: str,
                    metric_labels: Callable[[str], Labels | None]) -> tuple[Labels, dict[str, str]]:
    """The label names of the series a recording rule records, and the values of those that are static (set by
    it or by a rule it reads); metric_labels gives a metric's own labels by series name (None for a series the
    project does not define)."""
    rules = _Rules(project, metric_labels)
    names = rules.of_rule(name)
    return names, {label: value for label, value in rules.static.items() if label in names}


def expression_labels(project: Project, expr: str, metric_labels: Callable[[str], Labels | None]) -> Labels:
    """The label names of the series an expression returns (static labels of the rules it reads included)."""
    return _Rules(project, metric_labels).kept(parse(expr))
