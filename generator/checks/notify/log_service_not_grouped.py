"""A log alert tells services apart by Loki's service_name, which notifications are not grouped by.

Loki labels a stream's service `service_name` (from OpenTelemetry's service.name), and a log alert keeps it with
`sum by (service_name) (...)`; Prometheus' alerts name theirs `service`, `job` or `instance`. Where Alertmanager's
group_by lacks service_name, the same log alert of two services is one group: one notification for both, the
second service waiting for the first's group_interval, and an acknowledgement of one silencing the other.

    AlertingConfig(group_by=("alertname", "service", "instance"), ...)
    LogAlert(name="RagEngineTimeouts", expr='sum by (service_name) (count_over_time({...} |= "timeout" [10m])) > 20')

Fix: add "service_name" to `AlertingConfig.group_by` (alerts without it are grouped as before).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.logql import strip_strings
from generator.model import LogAlert
from generator.model.logs import SERVICE_LABEL

CODE = "NT004"
NAME = "log-service-not-grouped"
LEVEL = Level.WARNING
KEEPS_SERVICE = re.compile(rf"\bby\s*\([^)]*\b{SERVICE_LABEL}\b")


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    if SERVICE_LABEL in project.alerting.group_by:
        return
    for alert in project.all(LogAlert):
        if KEEPS_SERVICE.search(strip_strings(alert.expr)):
            yield Finding(alert, f"log alert {alert.name} tells services apart by {SERVICE_LABEL}, which group_by "
                                 f"({', '.join(project.alerting.group_by)}) lacks: two services firing it share one "
                                 "notification", ("expr",))
