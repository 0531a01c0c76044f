"""The label names an expression's result carries, as Prometheus computes them: what the demo draws per recording
rule, and the rows a dashboard's state timeline will show.

`sum(rate(x[5m]))` is one series with no label, `sum by (job) (...)` one per job, `a / on (job) b` keeps job
alone, `a / ignoring (x) b` and `group_left` keep a side's labels, and a recorded input brings its own rule's
labels, static ones included (with their values: a static label is one series, not one per value). A selector of
a metric brings the metric's labels with job and instance.

possible_labels answers the meaning checks (SM011, SM012, SM014), which must not report what may be there: the
labels a result can carry, with the static labels of scrape jobs, absent()'s matchers and either side of `or`, and
OPEN where an input's labels are not known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.core.promql import ABSENCE_FUNCTIONS, matcher_op, name_of, parse
from generator.derive.series import defined_series
from generator.model import Metric, MetricType, Source
from generator.model.project import Project

TARGET = ("job", "instance")
"""The labels every scraped series carries."""
KEEPS_INPUT = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
"""Aggregations that select series rather than combine them: their result keeps its input's labels."""
SCALARS = frozenset({"scalar", "time", "pi"})
OPEN = "*"
"""In a set of possible labels: the series may carry labels nobody declared (another system's series, an imported
rule's record, ALERTS), so no label can be said to be missing."""
Labels = tuple[str, ...]


def _union(*parts: Labels) -> Labels:
    return tuple(dict.fromkeys(label for part in parts for label in part))


def _without(labels: Labels, dropped: Labels) -> Labels:
    return tuple(label for label in labels if label not in dropped)


def is_scalar(node: Any) -> bool:
    """Whether an expression is a number rather than a vector (`2 * 0.01`, `scalar(x)`, `time()`)."""
    kind = type(node).__name__
    if kind in ("NumberLiteral", "StringLiteral"):
        return True
    if kind in ("ParenExpr", "UnaryExpr"):
        return is_scalar(node.expr)
    if kind == "Call":
        return str(node.func.name) in SCALARS
    return kind == "BinaryExpr" and is_scalar(node.lhs) and is_scalar(node.rhs)


class _Rules:
    """Kept labels of expressions over one project's metrics and recording rules."""

    def __init__(self, project: Project, metric_labels: Callable[[str], Labels | None]) -> None:
        self.project = project
        self.metric_labels = metric_labels
        self.seen: set[str] = set()
        self.static: dict[str, str] = {}
        """Values of the static labels met, the outermost rule's last (it overrides what it reads)."""
        self.cuts = 0
        """How many times a rule reading itself ended a walk: an answer found meanwhile depends on where it began."""

    def of_rule(self, name: str) -> Labels:
        rule = self.project.recording_rules[name]
        if name in self.seen:  # a rule reading itself, through others: no labels to learn from it
            self.cuts += 1
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
            name = name_of(node)  # named before its braces or by its matcher, {__name__="x"}, as checks read it
            if name in self.project.recording_rules:
                return self.of_rule(name)
            return _union(TARGET, self.metric_labels(name) or ())
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
        vectors = [arg for arg in args if not is_scalar(arg)]
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
        if is_scalar(lhs) or is_scalar(rhs):
            return self.kept(rhs if is_scalar(lhs) else lhs)
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


class _Possible(_Rules):
    """The labels an expression's result can carry, as the meaning checks ask: a `by` label the input cannot carry
    is not kept, absent() keeps its selector's equality matchers, `or` either side's labels, and OPEN stands for
    labels an input may carry undeclared.

    Each node's answer and each recording rule's is derived once (the checks ask about an operation's sides, then
    its parent, and a rule read by many alerts is read again by each): a node is keyed by its identity (parse keeps
    one tree per text; the entry holds the node, so its id is not reused), and an answer found while a rule loop
    was cut is not kept, since it depends on where the walk began."""

    def __init__(self, project: Project, metric_labels: Callable[[str], Labels | None]) -> None:
        super().__init__(project, metric_labels)
        self.nodes: dict[int, tuple[Any, Labels]] = {}
        self.rules: dict[str, Labels] = {}

    def kept(self, node: Any) -> Labels:
        known = self.nodes.get(id(node))
        if known is not None:
            return known[1]
        cuts = self.cuts
        labels = super().kept(node)
        if self.cuts == cuts:
            self.nodes[id(node)] = (node, labels)
        return labels

    def of_rule(self, name: str) -> Labels:
        known = self.rules.get(name)
        if known is not None:
            return known
        cuts = self.cuts
        labels = super().of_rule(name)
        if self.cuts == cuts:
            self.rules[name] = labels
        return labels

    def _aggregated(self, node: Any) -> Labels:
        op = str(node.op)
        if op in KEEPS_INPUT:
            return self.kept(node.expr)
        counted = (str(node.param.val),) if op == "count_values" else ()
        if node.modifier is None:
            return counted
        kept, labels = self.kept(node.expr), tuple(node.modifier.labels)
        if str(node.modifier.type).endswith("Without"):
            return _union(_without(kept, labels), counted)
        return _union(labels if OPEN in kept else tuple(label for label in labels if label in kept), counted)

    def _called(self, node: Any) -> Labels:
        if str(node.func.name) not in ABSENCE_FUNCTIONS:
            return super()._called(node)
        selector = node.args[0]
        selector = getattr(selector, "vector_selector", selector)
        if type(selector).__name__ != "VectorSelector":  # absent(sum(x)): nothing to take labels from
            return ()
        return tuple(dict.fromkeys(m.name for m in selector.matchers.matchers
                                   if matcher_op(m) == "=" and m.name != "__name__"))

    def _matched(self, node: Any) -> Labels:
        if str(node.op) == "or":
            return _union(self.kept(node.lhs), self.kept(node.rhs))
        return super()._matched(node)


def _declared(project: Project, deployed_here: bool) -> Callable[[str], Labels]:
    """A series' possible labels by name: a declared metric's own, job and instance, the static labels of the jobs
    scraping its source and le or quantile of its buckets; OPEN for what no Metric declares, and for every scraped
    series when the expression was not written for this project's scrape jobs."""
    series = defined_series(project)
    jobs = project.scrape_jobs
    every_job = _union(*(tuple(job.labels) for job in jobs))
    known: dict[str, Labels] = {}

    def labels(name: str) -> Labels:
        if name not in known:
            known[name] = of_series(name)
        return known[name]

    def of_series(name: str) -> Labels:
        metric: Metric | None = series.get(name)
        if not deployed_here:
            return (*TARGET, OPEN)
        if metric is None:
            return _union(TARGET, every_job) if name == "up" or name.startswith("scrape_") else (OPEN,)
        extra: Labels = ("le",) if metric.type is MetricType.HISTOGRAM and name.endswith("_bucket") else \
            ("quantile",) if metric.type is MetricType.SUMMARY and name == metric.name else ()
        if metric.source is Source.SIDECAR:  # honor_labels: it keeps the labels of the series it learns from
            extra += (OPEN,)
        return _union(metric.labels, extra, *(tuple(job.labels) for job in jobs if job.source is metric.source))
    return labels


def possible_labels(project: Project, expr: str, deployed_here: bool = True) -> Labels:
    """The label names an expression's result can carry (those of rules it reads included), OPEN among them when
    an input is a series whose labels nobody declared. An imported rule is not deployed_here: written for another
    deployment, whose relabelling gives scraped series target labels of its own (namespace, pod), it is judged only
    by what its aggregations keep, as pint does without a Prometheus to ask."""
    return possible_labels_reader(project, deployed_here)(parse(expr))


def possible_labels_reader(project: Project, deployed_here: bool = True) -> Callable[[Any], Labels]:
    """possible_labels of parsed nodes, for a check that asks about each side of an operation; each node's and
    each recording rule's answer derived once however often it is asked (the checks share one reader a build)."""
    return _Possible(project, _declared(project, deployed_here)).kept
