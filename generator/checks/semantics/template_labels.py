"""An alert's template prints a label its expression's result cannot carry: the notification shows an empty value.

Prometheus expands an alerting rule's annotations and labels with `$labels` (`.Labels`) set to the labels of the
series its expression returned, nothing else: not the rule's own labels (severity), not what an aggregation
dropped (rules/alerting.go, AlertTemplateData over the sample's labels). So a summary that names the instance of
an alert summed by job reads "<no value>" in every page (pint's alerts/template: "template is using ... label but
the query removes it"):

    Alert(name="ErrorsHigh", expr="sum by (job) (rate(errors_total[5m])) > 1",
          summary="Errors on {{ $labels.instance }}")                     # instance is summed away

The labels a result can carry are those of the metrics it reads (their declared labels, job, instance and their
scrape jobs' static labels), what aggregations, `on` and `group_left` keep, and the labels of the recording rules
it reads. A series no Metric declares (another system's, an imported rule's) may carry anything: a template over
it is not read. A label tested first (`{{ with $labels.x }}...{{ end }}`) is handled on purpose. Alertmanager's
grouping labels are not templates: a route grouping by a label the alert lacks is not this check's business.
Alerts of imported rule sets are read too, by what their aggregations keep only: written for another deployment,
their scraped series may carry target labels of its own (a Kubernetes namespace or pod).

Log alerts are read too: Loki's ruler evaluates them with Prometheus' rules package (pkg/ruler/compat.go), so their
`$labels` is their LogQL result's labels alone. Those are known where the expression is one aggregation `by (...)`,
maybe compared with a number: `sum by (service_name) (count_over_time({...} [5m])) > 20` carries service_name alone,
and a summary printing `$labels.pod` reads "<no value>". Other shapes (a bare range aggregation keeps every stream
label and every label a parser extracts) are not read.

Fix: keep the label in the expression (`sum by (job, instance)`), declare it on the Metric if its exporter sets it,
or print one the result keeps.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.by_text import remembered, strings
from generator.checks.semantics.result_readers import rule_result_labels
from generator.checks.semantics.rule_templates import RuleTemplates, rule_templates
from generator.core.errors import Level
from generator.core.gotemplate_syntax import label_reads
from generator.model import ScrapeJob

CODE = "SM011"
READS_EVERY = (ScrapeJob,)  # a template may read a label only a failed ScrapeJob statement adds
NAME = "template-label-not-in-result"
LEVEL = Level.WARNING


def _reads(template: str) -> tuple[str, ...]:
    """The labels a template prints, each once; its text alone decides, so kept across builds."""
    return remembered("reads", template, lambda: tuple(dict.fromkeys(label_reads(template))), list, strings)


def _findings(context: Context, rule: RuleTemplates) -> Iterator[Finding]:
    reads = [(path, name, _reads(text)) for path, name, text in rule.templates]
    if not any(labels for _, _, labels in reads):
        return  # nothing to judge: the expression need not be parsed
    carried = rule_result_labels(context, rule.expr, rule.logql, rule.deployed_here)
    if carried is None:
        return
    for path, name, labels in reads:
        for label in labels:
            if label in carried:
                continue
            if label in rule.rule_labels:
                yield Finding(rule.at, f"{rule.what}: its {name} prints $labels.{label}, but {label!r} is a label the "
                                       "rule sets, and $labels holds only its expression's result's labels: the "
                                       "notification shows an empty value; write the value itself", path)
                continue
            yield Finding(rule.at, f"{rule.what}: its {name} prints $labels.{label}, but its expression's result "
                                   f"cannot carry {label!r} (it carries {', '.join(carried) or 'no label'}): the "
                                   f"notification shows an empty value; keep {label!r} in the expression's "
                                   "aggregations (by (...)), declare it on the Metric if its exporter sets it, or "
                                   "print a label the result keeps", path)


def check(context: Context) -> Iterator[Finding]:
    for rule in rule_templates(context.project):
        yield from _findings(context, rule)
