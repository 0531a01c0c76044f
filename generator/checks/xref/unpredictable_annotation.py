"""A firing example's expected notification can be predicted from the alert's templates.

Each firing example becomes a promtool test that states the alert's labels and annotations exactly, so its
summary and description must use only what obsgen can evaluate: `{{ $labels.x }}` for labels the example
gives (its expression's result's: Prometheus does not put the rule's own labels, such as severity, there),
`{{ $externalLabels.x }}` for the stack's external_labels, `{{ $externalURL }}` for its Prometheus' external URL
(Stack.prometheus_url, its path's trailing slash dropped, as Prometheus drops it), and `{{ $value }}` formatted by the
functions Prometheus provides.

Fix: give the example the labels its templates use (`labels={"instance": "web-1"}`), or simplify the template.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.examples import expected_alert

CODE = "XR015"
NAME = "unpredictable-annotation"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    for alert in context.project.alerts.values():
        for number, example in enumerate(alert.examples):
            if not example.fires:
                continue
            try:
                expected_alert(context.project, alert, example,
                               {"summary": alert.summary, "description": alert.description})
            except ValueError as error:
                yield Finding(alert, f"alert {alert.name} example {example.name!r}: {error}", ("examples", number))
