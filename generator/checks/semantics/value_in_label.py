"""An alert's label prints its value: each new value is a new alert, so `for` restarts and notifications churn.

Prometheus and Alertmanager tell alerts apart by their labels. A label templated from `$value` (`.Value`) changes
with every evaluation that sees another value: Prometheus drops the pending alert and starts a new one, so an alert
with `for` may never fire, and one that fires resolves and fires again as the value moves, each time a new
notification (pint's alerts/template, "value used in labels"; Robust Perception, "Don't put the value in alert
labels"):

    Alert(name="DiskFilling", expr="disk_used_ratio > 0.9", **{"for": "15m"},
          labels={"usage": "{{ $value | humanizePercentage }}"})       # a new alert every evaluation

Alerts of imported rule sets are read too.

Fix: print the value in the summary or description (annotations are not part of an alert's identity).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.rule_templates import rule_templates
from generator.core.errors import Level
from generator.core.gotemplate_syntax import reads_value

CODE = "SM015"
NAME = "value-in-alert-label"
LEVEL = Level.WARNING
FIX = ("each new value makes a new alert (its for restarts, a firing one resolves and fires again); print the value "
       "in the summary or description instead")


def check(context: Context) -> Iterator[Finding]:
    for rule in rule_templates(context.project):
        if rule.logql:
            continue  # log alerts are not read (yet)
        for path, name, text in rule.templates:
            if name.startswith("label ") and reads_value(text):
                yield Finding(rule.at, f"{rule.what}: its {name} prints $value: {FIX}", path)
