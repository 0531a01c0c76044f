"""An alert sets a label notifications group by to a value with " or \\, which the silence link cannot carry.

The notifications' silence link fills Alertmanager's silence form with the group's labels. Alertmanager's UI before
0.32.0 (0.25 among them; prometheus/alertmanager#1913) keeps the text of a value as written in the link, so `a"b`,
written `a\\"b`, becomes a silence for `a\\"b` that matches nothing. The notification says so next to the link and
points to the printed `obsgen ack` command, which is exact; a value the alert sets itself is known before it fires.
Checked only where Stack.alertmanager_version is before 0.32.0: from 0.32.0 the UI decodes the value
(prometheus/alertmanager#4862) and the link carries any value.

    Alert(name="DiskFull", ..., labels={"service": 'C:\\\\'})      # group_by holds service

Fix: use a value without " or \\ (e.g. "c-drive"), acknowledge with `obsgen ack`, or run Alertmanager 0.32.0 or
later (and say so in Stack.alertmanager_version; where `obsgen up` judges the release installed where it runs,
install a newer one there and restart the live stack).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.notify.release_advice import upgrade
from generator.core.errors import Level
from generator.model.alerts import AlertRule
from generator.model.logs import SERVICE_LABEL
from generator.model.stack import UI_DECODES_FILTER

CODE = "NT010"
NAME = "unsilenceable-label-value"
LEVEL = Level.WARNING
RELEASES = True
"""It judges Stack.alertmanager_version: run on a profiled project (checks/base.py)."""
ACTIONS = re.compile(r"\{\{.*?\}\}", re.DOTALL)
KEPT = re.compile(r'["\\]')


def without_actions(value: str) -> str:
    """The value without its template actions (each `{{` to the next `}}`), in linear time: ACTIONS alone read to
    the end again from each `{{` with no `}}` after it (quadratic: 93x per 10x longer). Every `{{` before the last
    `}}` ends at or before it, and none after it ends."""
    last = value.rfind("}}")
    return value if last < 0 else ACTIONS.sub("", value[: last + 2]) + value[last + 2 :]


def check(context: Context) -> Iterator[Finding]:
    stack = context.project.stack
    if stack.ui_decodes_filter:
        return
    later = upgrade(context.project, "alertmanager_version", UI_DECODES_FILTER)
    linked = {*context.project.alerting.group_by, SERVICE_LABEL}  # the log service joins the link when shared
    for alert in context.project.all(AlertRule):
        for label, value in alert.labels.items():
            if label in linked and KEPT.search(without_actions(value)):
                yield Finding(alert, f"alert {alert.name} sets {label}={value!r}, which its notifications' silence "
                                     f"link cannot carry: Alertmanager's silence form ({stack.alertmanager_version}) "
                                     'keeps the backslash of \\" and \\\\, and its silence would match nothing; the '
                                     f"notification says to use the printed obsgen ack command; or {later}",
                              ("labels", label))
