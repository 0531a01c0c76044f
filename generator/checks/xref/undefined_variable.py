"""Dashboard queries use only the template variables their dashboard defines.

Grafana leaves an undefined `$name` in the query it sends, which Prometheus rejects: the panel shows an error.
The built-ins (`$__rate_interval`, `$__range`, ...) are always defined.

    Dashboard(variables=(job_variable(),), rows=(Row(panels=(
        Panel(queries='sum(rate(http_requests_total{instance=~"$instance"}[5m]))'),)),))   # no $instance

Fix: add the variable to the dashboard, or correct its name in the query.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level

CODE = "XR013"
NAME = "undefined-variable"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    for item in context.expressions:
        if item.variable_error:
            yield Finding(item.at, f"{item.what} uses ${item.variable_error}, which the dashboard does not define",
                          item.field)
