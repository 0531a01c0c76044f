"""A selector requires a value of a label its series never carry: it selects nothing.

A series without a label matches `label=""` and nothing else, so `http_requests_total{code="500"}` over a metric
whose labels are `status` selects no series, ever: the alert over it never fires, the recording rule records
nothing (pint's promql/series says the same of a label no series in Prometheus has). obsgen knows the labels each
declared metric carries (its labels, job, instance, its scrape jobs' static labels, le of a histogram's buckets)
and those each recording rule keeps, so the mistake is found before anything runs:

    Metric(name="http_requests_total", labels=("service", "status"), ...)
    Alert(expr='rate(http_requests_total{code=~"5.."}[5m]) > 1', ...)     # no series has code

A matcher is reported when it rejects the empty value (`=` with a value, `=~` with a regex that does not match "",
`!=""`, `!~` with a regex that matches ""), on a label the series cannot carry; a series no Metric declares may
carry anything and is not read. Alerts and recording rules are read; imported rules, written for another
deployment's labels, are not.

Fix: match the label the metric has (`status=~"5.."`), declare the label on the Metric if the exporter has it, or
keep it in the recording rule's aggregation (`by (job, code)`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.result_readers import possible_labels_of
from generator.core.errors import Level
from generator.core.promql import PromQLError, matcher_op, parse, walk
from generator.core.selector_regex import label_matches
from generator.derive.result_labels import OPEN
from generator.model import Alert, Definition, ScrapeJob

CODE = "SM014"
READS_EVERY = (ScrapeJob,)  # a failed ScrapeJob statement may have added the label (its `labels`)
NAME = "label-never-carried"
LEVEL = Level.WARNING


def _needs_value(matcher: Any, release: str) -> bool:
    """Whether the matcher rejects a series that lacks the label (reads it as the empty value), where that
    Prometheus release runs it: `=` and `=~` that do not take "", and `!=` and `!~` that do (`code!=""`)."""
    try:
        return not label_matches(matcher_op(matcher), str(matcher.value), "", release)
    except ValueError:  # a regex Prometheus refuses (promtool says so) or obsgen cannot read: not judged
        return False


def _rules(context: Context) -> Iterator[tuple[Definition, tuple[str | int, ...], str, str]]:
    for alert in context.project.all(Alert):
        yield alert, ("expr",) if alert.expr else ("metric",), f"alert {alert.name}", alert.condition
    for rule in context.project.recording_rules.values():
        yield rule, ("expr",), f"recording rule {rule.name}", rule.expr


def check(context: Context) -> Iterator[Finding]:
    read, release = possible_labels_of(context), context.project.stack.prometheus_version
    for at, path, what, expr in _rules(context):
        if "{" not in expr:
            continue  # no label matcher to judge (most expressions), so no parse and walk: a matcher is in braces
        try:
            root = parse(expr)
        except PromQLError:
            continue  # invalid-promql says so
        for node in walk(root):
            if type(node).__name__ != "VectorSelector" or not node.name:
                continue
            carried = read(node)
            if OPEN in carried:
                continue
            for matcher in node.matchers.matchers:
                if matcher.name != "__name__" and matcher.name not in carried and _needs_value(matcher, release):
                    yield Finding(at, f"{what}: {node.name}{{{matcher.name}{matcher_op(matcher)}\"{matcher.value}\"}} "
                                      f"selects nothing: no {node.name} series carries {matcher.name!r} (they carry "
                                      f"{', '.join(carried)}); match a label it has, or declare {matcher.name!r} "
                                      "where the series is defined", path)
