"""histogram_quantile() over buckets whose `le` label was aggregated away: it returns nothing, the rule is dead.

A classic histogram's quantile is computed from its buckets, told apart by `le`; histogram_quantile() groups its
input by every label but `le` and reads each group's buckets. An aggregation that does not keep `le` adds the
buckets together before it sees them, so the function has no bucket boundaries and returns nothing (Prometheus,
querying/functions, histogram_quantile: "the le label must be kept in the aggregation"): an alert over it never
fires, a recording rule records nothing, and the examples of an alert fed the recorded series directly still pass.

    Alert(expr="histogram_quantile(0.99, sum by (service) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5")
    Alert(expr="histogram_quantile(0.99, sum without (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5")

A recording rule that drops `le` before its record is fed to histogram_quantile() is the same mistake. Only inputs
reading a `_bucket` series are judged (a native histogram carries its buckets in each sample and needs no `le`),
and an input whose labels are not known (series nobody declares, before they are aggregated) is not. Alerts,
recording rules and imported rule sets' rules are read.

Fix: keep le in the aggregation: `sum by (le, service) (rate(x_bucket[5m]))`, or drop `without (le)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.by_text import remembered, strings, text_decides
from generator.checks.semantics.recorded import recorded_exprs, series_read
from generator.checks.semantics.result_readers import possible_labels_of
from generator.checks.semantics.vector_matching import rule_expressions
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse, read_selectors, walk
from generator.derive.result_labels import OPEN
from generator.model import Alert

CODE = "SM020"
NAME = "quantile-without-le"
LEVEL = Level.ERROR


def bucket_rules(context: Context) -> frozenset[str]:
    """The recording rules, obsgen's and imported rule sets' (recorded_exprs), that read a `_bucket` series,
    themselves or through the rules they read: from each rule's cached facts (promql.facts: no parse of a rule a
    previous build read), found once a build."""
    reads = {name: series_read(expr) for name, expr in context.derived(recorded_exprs).items()}
    found = {name for name, names in reads.items() if any(read.endswith("_bucket") for read in names)}
    grown = True
    while grown:  # a rule reading one that reads buckets reads them too (a loop adds nothing new and ends)
        grown = False
        for name, names in reads.items():
            if name not in found and names & found:
                found.add(name)
                grown = True
    return frozenset(found)


def _reads_buckets(node: Any, rules: frozenset[str]) -> bool:
    """Whether an expression reads a `_bucket` series, itself or through the recording rules it reads (a selector
    named by its matcher, {__name__="x_bucket"}, too)."""
    return any(selector.name.endswith("_bucket") or selector.name in rules for _, selector in read_selectors(node))


def _without_le(rules: frozenset[str], expr: str, read: Any) -> Iterator[str]:
    """Each histogram_quantile() call of the expression whose buckets lost le, as PromQL."""
    try:
        root = parse(expr)
    except PromQLError:
        return  # invalid-promql says so
    for node in walk(root):
        if type(node).__name__ != "Call" or str(node.func.name) != "histogram_quantile" or len(node.args) != 2:
            continue
        labels = read(node.args[1])
        if OPEN not in labels and "le" not in labels and _reads_buckets(node.args[1], rules):
            yield str(node).replace("{}", "")


def _calls(context: Context, expr: str, here: bool) -> tuple[str, ...]:
    """_without_le's calls; none without a histogram_quantile() in the text (no parse), and an imported rule's kept
    across builds when its text alone decides them (every series it reads may carry le: by_text)."""
    if "histogram_quantile" not in expr:
        return ()
    project = context.project

    def found() -> tuple[str, ...]:
        return tuple(_without_le(context.derived(bucket_rules), expr, possible_labels_of(context, here)))

    if here or not text_decides(project, expr):
        return found()
    return remembered("without le", expr, found, list, strings)


def check(context: Context) -> Iterator[Finding]:
    for at, path, what, expr, here in rule_expressions(context):
        outcome = "the alert never fires" if isinstance(at, Alert) else "it returns nothing"
        for call in _calls(context, expr, here):
            yield Finding(at, f"{what}: {call!r} aggregates its buckets without le, so histogram_quantile() has no "
                              f"bucket boundaries and {outcome}; keep le in the aggregation (by (le, ...), or drop "
                              "without (le))", path)
