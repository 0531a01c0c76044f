"""The healthy side of every threshold that watches a demo series: alert comparisons and dashboard colours.

An alert `x > c` says x is healthy at or below c; a panel whose base colour is green and turns red at c says
the same of what it draws. Each watched expression is walked down to the series it shows (through
aggregations, *_over_time, abs, `or` fallbacks and arithmetic with constants, whose inverse carries the
threshold down), so `100 * avail / size < 5` bounds avail as a share of size and `increase(x[5m]) > 0` bounds
x's rate to 0. A bound on a recorded series is carried into its rule's expression the same way.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.checks.lint.dashboard_json import panels, variable_values
from generator.checks.semantics.shapes import ARITHMETIC
from generator.core.grafana_promql import interpolate
from generator.core.promql import PromQLError, matcher_op, parse, unparen, walk
from generator.core.selector_regex import label_matches
from generator.derive.series import defined_series
from generator.live.demo_failing import FAILING
from generator.model.project import Project
from generator.targets.grafana import render as grafana_documents

HEALTHY_COLOUR = "green"
VALUE_PRESERVING = frozenset({"abs", "max_over_time", "min_over_time", "avg_over_time", "last_over_time",
                              "quantile_over_time"})
RATES = frozenset({"rate", "irate", "increase"})
AGGREGATIONS = frozenset({"sum", "avg", "max", "min"})
Matcher = tuple[str, str, str]
@dataclass(frozen=True)
class Subject:
    """What a watched expression shows: a series' value, its rate, or its share of another series (a / b)."""

    name: str
    matchers: tuple[Matcher, ...] = ()
    kind: str = "value"
    denominator: str = ""
    part: tuple[str, ...] = ()
    """For a share: the labels that tell the part from the whole (`status` in `x{status=~"5.."} / x`)."""

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a series with these labels is among those the selector picks."""
        return all(label_matches(op, value, labels.get(label, "")) for label, op, value in self.matchers)


@dataclass
class Band:
    """The healthy range of a subject: at least lower, at most upper (None: unbounded)."""

    lower: float | None = None
    upper: float | None = None

    def add(self, lower: float | None, upper: float | None) -> None:
        """Narrow the band by one more watcher's range."""
        if lower is not None:
            self.lower = lower if self.lower is None else max(self.lower, lower)
        if upper is not None:
            self.upper = upper if self.upper is None else min(self.upper, upper)


@dataclass
class Bounds:
    """Every watched subject's healthy band."""

    bands: dict[Subject, Band] = field(default_factory=dict)
    alerts: dict[str, dict[Subject, Band]] = field(default_factory=dict)
    """Per alert, the range of each subject it holds: outside it, the alert fires."""

    def add(self, subject: Subject, lower: float | None, upper: float | None, alert: str = "",
            healthy: bool = True) -> None:
        """Record one watcher's healthy range of a subject (an alert's also under its name); not `healthy` for a
        condition the alert only needs to fire (the right side of `and`), which bounds nothing on a quiet night."""
        if healthy:
            self.bands.setdefault(subject, Band()).add(lower, upper)
        if alert:
            self.alerts.setdefault(alert, {}).setdefault(subject, Band()).add(lower, upper)

    def firing(self, name: str, kind: str, labels: dict[str, str]) -> dict[str, Band]:
        """The alerts that watch a series (by alert name), with the range past which each fires."""
        return {alert: band for alert, watched in self.alerts.items() for subject, band in watched.items()
                if subject.name == name and subject.kind == kind and subject.matches(labels)}

    def band(self, name: str, kind: str, labels: dict[str, str] | None = None) -> tuple[Band, str] | None:
        """The narrowest band of a series (for shares: with the denominator it is a share of), None if unwatched."""
        found = [(subject, band) for subject, band in self.bands.items()
                 if subject.name == name and subject.kind == kind and (labels is None or subject.matches(labels))]
        if not found:
            return None
        merged = Band()
        for _, band in found:
            merged.add(band.lower, band.upper)
        return merged, found[0][0].denominator

    def share_labels(self, name: str) -> frozenset[str]:
        """Labels that tell a series' failing part from the rest (`status` in `x{status=~"5.."} / x`)."""
        return frozenset(label for subject in self.bands if subject.name == name and subject.kind == "share"
                         for label in subject.part)


def constant(node: Any) -> float | None:
    """The value of an expression made of numbers only (`(14.4 * 0.001)`, `vector(0.999)`), else None."""
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return float(node.val)
    if kind == "ParenExpr":
        return constant(node.expr)
    if kind == "Call" and node.func.name in ("vector", "scalar"):
        return constant(node.args[0])
    if kind == "BinaryExpr" and str(node.op) in ARITHMETIC:
        lhs, rhs = constant(node.lhs), constant(node.rhs)
        if lhs is not None and rhs is not None:
            return math.inf if str(node.op) == "/" and not rhs else ARITHMETIC[str(node.op)](lhs, rhs)
    return None


Shown = tuple[Subject, Callable[[float], float], bool]
"""A subject, the inverse mapping from the expression's value to the subject's, and whether it flips order."""


def _selector(node: Any) -> Subject:
    matchers = tuple((m.name, matcher_op(m), m.value) for m in node.matchers.matchers if m.name != "__name__")
    return Subject(node.name, matchers)


def _arithmetic(op: str, lhs: Any, rhs: Any) -> Shown | None:
    left, right = constant(lhs), constant(rhs)
    if left is None and right is None and op == "/":
        numerator, whole = shown(lhs), [s.name for s in _subjects(rhs)]
        if numerator is None or not whole:
            return None
        part, inverse, flips = numerator
        other = next((name for name in whole if name != part.name), part.name)
        scope = {m for subject in _subjects(rhs) if subject.name == part.name for m in subject.matchers}
        labels = tuple(label for label, op, value in part.matchers if (label, op, value) not in scope)
        return Subject(part.name, part.matchers, "share", other, labels), inverse, flips
    inner = shown(rhs if left is not None else lhs)
    if inner is None or (left is None) == (right is None):
        return None
    subject, inverse, flips = inner
    c = left if left is not None else right
    assert c is not None
    undo: dict[tuple[str, bool], tuple[Callable[[float], float], bool]] = {
        ("*", True): (lambda v: v / c, c < 0), ("*", False): (lambda v: v / c, c < 0),
        ("+", True): (lambda v: v - c, False), ("+", False): (lambda v: v - c, False),
        ("-", True): (lambda v: c - v, True), ("-", False): (lambda v: v + c, False),
        ("/", False): (lambda v: v * c, c < 0),
    }
    step = undo.get((op, left is not None))
    if step is None or c == 0:
        return None
    return subject, lambda v: inverse(step[0](v)), flips != step[1]


def shown(node: Any) -> Shown | None:
    """The one subject an expression draws, how to map its values back onto it, or None if it draws no one."""
    kind = type(node).__name__
    if kind == "VectorSelector":
        return _selector(node), lambda v: v, False
    if kind in ("ParenExpr", "MatrixSelector"):
        return shown(node.expr if kind == "ParenExpr" else node.vector_selector)
    if kind == "AggregateExpr" and str(node.op) in AGGREGATIONS:
        return shown(node.expr)
    if kind == "Call" and node.func.name == "round" and node.args:  # round(v, to_nearest): near enough v
        return shown(node.args[0])
    if kind == "Call" and node.func.name == "predict_linear":  # of a gauge moving with the day: near enough it
        return shown(node.args[0])
    if kind == "Call" and node.func.name in VALUE_PRESERVING | RATES and node.args:
        inner = shown(node.args[-1])
        if inner is None or node.func.name not in RATES:
            return inner
        window = node.args[-1].range.total_seconds() if node.func.name == "increase" else 1.0
        subject, inverse, flips = inner
        return Subject(subject.name, subject.matchers, "rate"), lambda v: inverse(v / window), flips
    if kind == "BinaryExpr" and str(node.op) == "or":
        return shown(node.lhs)
    if kind == "BinaryExpr" and str(node.op) == "-" and _clock(node.lhs):
        behind = shown(node.rhs)  # now (or a timestamp that keeps up with it) minus a timestamp: its age
        if behind is not None and "timestamp" in behind[0].name:
            return Subject(behind[0].name, behind[0].matchers, "age"), lambda v: v, False
    if kind == "BinaryExpr" and str(node.op) in "+-*/":
        return _arithmetic(str(node.op), node.lhs, node.rhs)
    return None


def _clock(node: Any) -> bool:
    """Whether an expression reads the time: time(), or a gauge that holds it (a `*_timestamp_seconds` one)."""
    if type(node).__name__ == "Call" and node.func.name == "time":
        return True
    found = shown(node)
    return found is not None and found[0].kind == "value" and "timestamp" in found[0].name


def _subjects(node: Any) -> Iterator[Subject]:
    return (_selector(n) for n in walk(node) if type(n).__name__ == "VectorSelector")


@dataclass(frozen=True)
class Comparison:
    """One ordering comparison of an alert: the side watched, the operator as read from it, the threshold."""

    side: Any
    op: str
    threshold: float
    needed: bool = False
    """On the right of `and`: the alert needs it true to fire, but it says when the alert applies (a traffic
    guard, the short window of a burn-rate alert) rather than what is healthy."""
    usual: Any = None
    """For `x < 0.5 * y`: y, against which the threshold is a multiple (last week's x, its average...)."""
    counted: Any = None
    """For `x < count by (job) (y)`: the count, whose value (how many targets report y) is the threshold."""


def _multiple(node: Any) -> tuple[float, Any] | None:
    """(c, y) of `c * y`, `y * c` or `y / (1/c)`, in parentheses or not."""
    node = unparen(node)
    if type(node).__name__ != "BinaryExpr" or str(node.op) not in "*/":
        return None
    right = constant(node.rhs)
    if right is not None and right != 0:
        return (right if str(node.op) == "*" else 1 / right), node.lhs
    left = constant(node.lhs)
    if left is not None and str(node.op) == "*":
        return left, node.rhs
    return None


def _count(node: Any) -> Any:
    """`count [by (...)] (y)`, in parentheses or not, else None."""
    node = unparen(node)
    return node if type(node).__name__ == "AggregateExpr" and str(node.op) == "count" else None


def _comparisons(node: Any, needed: bool = False) -> Iterator[Comparison]:
    """Each ordering comparison with a constant, or with a multiple of another series; those on the right of
    `and` are only needed. The right of `unless` must be false for the alert to fire: it is left out."""
    kind = type(node).__name__
    if kind == "BinaryExpr":
        op = str(node.op)
        if op == "==" and constant(node.rhs) == 0:
            yield Comparison(node.lhs, "<", 1.0, needed)  # fires at 0: a count or boolean gauge, healthy from 1 up
        if op in (">", ">=", "<", "<="):
            flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">="}[op]
            if (rhs := constant(node.rhs)) is not None:
                yield Comparison(node.lhs, op, rhs, needed)
            elif (lhs := constant(node.lhs)) is not None:
                yield Comparison(node.rhs, flipped, lhs, needed)
            elif (multiple := _multiple(node.rhs)) is not None:
                yield Comparison(node.lhs, op, multiple[0], needed, multiple[1])
            elif (multiple := _multiple(node.lhs)) is not None:
                yield Comparison(node.rhs, flipped, multiple[0], needed, multiple[1])
            elif (counted := _count(node.rhs)) is not None:
                yield Comparison(node.lhs, op, math.nan, needed, counted=counted)
            elif (counted := _count(node.lhs)) is not None:
                yield Comparison(node.rhs, flipped, math.nan, needed, counted=counted)
            elif shown(node.lhs) is not None and shown(node.rhs) is not None:  # x > y: x against all of y
                yield Comparison(node.lhs, op, 1.0, needed, node.rhs)
        yield from _comparisons(node.lhs, needed)
        if op != "unless":
            yield from _comparisons(node.rhs, needed or op == "and")
    elif kind in ("ParenExpr", "AggregateExpr"):  # count by (job) (up == 0): a comparison filters what is counted
        yield from _comparisons(node.expr, needed)


def _offset(node: Any) -> bool:
    """Whether an expression reads the past (a selector with an offset)."""
    return any(type(n).__name__ == "VectorSelector" and n.offset is not None for n in walk(node))


def _underlying(node: Any, project: Project) -> Subject | None:
    """The subject an expression shows, through the recording rules it reads: job:revenue:increase1h is a rate of
    revenue_total, and so is its offset1w twin."""
    found, seen = shown(node), set()
    while found is not None and found[0].kind == "value" and found[0].name in project.recording_rules:
        if found[0].name in seen:  # a rule that reads itself, through others
            return None
        seen.add(found[0].name)
        found = shown(parse(project.recording_rules[found[0].name].expr))
    return None if found is None else found[0]


def _record(bounds: Bounds, node: Any, lower: float | None, upper: float | None, alert: str = "",
            healthy: bool = True) -> None:
    """Carry an expression's healthy range down onto the subject it shows."""
    found = shown(node)
    if found is None:
        return
    subject, inverse, flips = found
    low, high = (None if v is None else inverse(v) for v in (lower, upper))
    bounds.add(subject, *((high, low) if flips else (low, high)), alert=alert, healthy=healthy)


def _targets(node: Any, project: Project) -> float | None:
    """How many series `count by (...) (y)` counts per group, for a y each scrape target reports once (a metric
    with no labels of its own): its source's targets per job, or all of them without `job` among the groups;
    None for any other count (how many label values a series has is the demo's to choose)."""
    found = shown(node.expr)
    metric = defined_series(project).get(found[0].name) if found is not None else None
    groups = node.modifier
    if metric is None or metric.labels or (groups is not None and str(groups.type).endswith("Without")):
        return None
    per_job = [len(job.targets) for job in project.scrape_jobs if job.source is metric.source]
    if not per_job:
        return None
    return float(max(per_job) if groups is not None and "job" in groups.labels else sum(per_job))


def _alert_bounds(bounds: Bounds, project: Project) -> None:
    for alert in project.alerts.values():
        try:
            root = parse(alert.condition)
        except PromQLError:
            continue
        for comparison in _comparisons(root):
            if comparison.needed and _offset(comparison.side):
                continue  # a guard on the past (last week's traffic): nothing now changes it
            if comparison.counted is not None:  # members < count by (job) (members): as many as there are targets
                counted = _targets(comparison.counted, project)
                if counted is None:
                    continue
                comparison = dataclasses.replace(comparison, threshold=counted)
            # the alert fires past the threshold: healthy is the other side
            low, high = (comparison.threshold, None) if comparison.op[0] == "<" else (None, comparison.threshold)
            if comparison.usual is None:
                _record(bounds, comparison.side, low, high, alert.name, healthy=not comparison.needed)
                continue
            subject, usual = _underlying(comparison.side, project), _underlying(comparison.usual, project)
            if subject is not None and usual is not None and subject.name == usual.name:
                # x against a multiple of its own past: a band on x as a share of its usual level, for the episode
                bounds.add(Subject(subject.name, subject.matchers, "usual"), low, high, alert.name, healthy=False)
            elif subject is not None and usual is not None and subject.kind == usual.kind == "value":
                # queued > capacity: x as a share of another series (a queue well short of its capacity)
                bounds.add(Subject(subject.name, subject.matchers, "share", usual.name), low, high, alert.name,
                           healthy=not comparison.needed)


def _panel_bounds(bounds: Bounds, project: Project) -> None:
    for document in grafana_documents(project).values():
        values = variable_values(document)
        for panel in panels(document):
            steps = (panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds") or {}).get("steps") or []
            healthy = [i for i, step in enumerate(steps) if step.get("color") == HEALTHY_COLOUR]
            if not healthy or len(steps) < 2:
                continue
            first, last = healthy[0], healthy[-1]
            lower = steps[first].get("value") if first > 0 else None
            upper = steps[last + 1].get("value") if last + 1 < len(steps) else None
            for target in panel.get("targets", []):
                try:
                    _record(bounds, parse(interpolate(str(target.get("expr", "")), values)), lower, upper)
                except (KeyError, PromQLError):
                    continue


def _carry_into_rules(bounds: Bounds, project: Project) -> None:
    """A recorded series' band also holds for what its rule computes from (its inputs' shares and rates)."""
    for subject, band in list(bounds.bands.items()):
        rule = project.recording_rules.get(subject.name)
        if rule is not None and subject.kind == "value":
            _record(bounds, parse(rule.expr), band.lower, band.upper)


def _rule_shares(bounds: Bounds, project: Project) -> None:
    """A rule's or alert's share of a counter's rate whose part names a failure (`rate(x{status_code="ERROR"}) /
    rate(x)`), watched or not: a failing part, drawn at a healthy share (drawn like the stock value beside it, a
    span's status_code read a 50% error ratio). A share of anything else (cache hits of all lookups) may be the
    healthy side: it is left as drawn."""
    exprs = [rule.expr for rule in project.recording_rules.values()]
    for expr in [*exprs, *(alert.condition for alert in project.alerts.values())]:
        try:
            divisions = [n for n in walk(parse(expr)) if type(n).__name__ == "BinaryExpr" and str(n.op) == "/"]
        except PromQLError:
            continue
        for node in divisions:
            part, found = shown(node.lhs), shown(node)
            if part is None or part[0].kind != "rate" or found is None or not found[0].part:
                continue
            if any(FAILING.search(value) for label, _, value in found[0].matchers if label in found[0].part):
                bounds.add(found[0], None, None)


def watched_bounds(project: Project) -> Bounds:
    """The healthy band of every series some alert or dashboard panel of the project holds to a threshold, and of
    every share of a counter's rate some rule or alert computes (unbounded: a failing part's healthy share)."""
    bounds = Bounds()
    _alert_bounds(bounds, project)
    _panel_bounds(bounds, project)
    _carry_into_rules(bounds, project)
    _rule_shares(bounds, project)
    return bounds
