"""An alert's template prints an external label the stack does not define: the notification shows an empty value.

Prometheus expands an alerting rule's annotations and labels with `$externalLabels` (`.ExternalLabels`) set to its
configuration's global.external_labels (rules/alerting.go declares `{{$externalLabels := .ExternalLabels}}`), which
obsgen writes from the Stack's external_labels. A name that is not one of them prints nothing (the templates expand
with missingkey=zero), so every page of this alert reads "CPU high in " (pint's alerts/external_labels: "template is
using ... external label but Prometheus doesn't have this label configured in global:external_labels"):

    STACK = Stack(name="shop", external_labels={"platform": "shop"}, ...)
    Alert(name="CpuHigh", summary="CPU high in {{ $externalLabels.cluster }}", ...)      # cluster is not defined

Obsgen's alerts and imported rule sets' alerts are read: both are evaluated by the stack's Prometheus. Log alerts are
read too: Loki's ruler expands their templates with `$externalLabels` set to its ruler.external_labels (Loki 3's
pkg/ruler/base/manager.go hands them to Prometheus' rules manager), which obsgen writes from the same Stack's
external_labels. A label tested first (`{{ with $externalLabels.x }}...{{ end }}`) is handled on purpose, as a rule
shared between stacks may.

Fix: add the label to the Stack's external_labels (every series and alert the stack sends out then carries it), or
print one it defines.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.rule_templates import rule_templates
from generator.core.errors import UNKNOWN, Level
from generator.core.gotemplate_syntax import EXTERNAL_LABELS, label_reads

CODE = "SM016"
NAME = "undefined-external-label"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    stack = context.project.stack
    defined = stack.external_labels
    related = (stack.location,) if stack.location != UNKNOWN else ()
    for rule in rule_templates(context.project):
        for path, name, text in rule.templates:
            for label in dict.fromkeys(label_reads(text, EXTERNAL_LABELS)):
                if label in defined:
                    continue
                yield Finding(rule.at, f"{rule.what}: its {name} prints $externalLabels.{label}, but the stack "
                                       f"defines no external label {label!r} (it defines "
                                       f"{', '.join(sorted(defined)) or 'none'}): the notification shows an empty "
                                       f"value; add {label!r} to the Stack's external_labels or print one it defines",
                              path, related)
