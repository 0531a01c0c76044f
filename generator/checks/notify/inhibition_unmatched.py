"""An inhibit rule's source or target names an alert of the project and a label that alert never carries.

An `Inhibition` mutes the alerts matching every label of its `target` while an alert matching every label of its
`source` fires. An alert carries its result's labels (what its expression keeps), the labels its rule sets
(severity, its escalation policy, `Alert.labels`), `escalation_level` on its escalation copies, alertname, and the
stack's external labels. A matcher on a label the named alert has none of matches no alert of that name, so the
rule never mutes anything, and Alertmanager says nothing of it. Judged only where the side
names one of the project's `Alert`s by alertname, and that alert's labels are all known (no undeclared series).

    Inhibition(name="queue backlog mutes", source={"alertname": "PaymentsSLIAbsent"},
               target={"alertname": "PaymentQueueBacklog", "tier": "payments"})   # PaymentQueueBacklog has no tier

Fix: match a label the alert carries (`obsgen check` lists none other), or add the label to the alert
(`Alert.labels`), or leave the alertname out of the side if it is meant to match other alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.checks.base import Context, Finding
from generator.checks.semantics.result_readers import possible_labels_of
from generator.core.errors import Level
from generator.core.promql import PromQLError, parse
from generator.derive.escalation import escalation_labels
from generator.derive.examples import sent_labels
from generator.derive.result_labels import OPEN, Labels
from generator.model import Alert, LogAlert, RuleSet, ScrapeJob
from generator.model.conventions import ESCALATION_LEVEL_LABEL
from generator.model.notify import Inhibition
from generator.model.project import Project

CODE = "NT011"
NAME = "inhibition-label-no-alert-carries"
LEVEL = Level.WARNING
READS_EVERY = (ScrapeJob,)  # a failed ScrapeJob statement may have added the label (its `labels`)


def _carried(project: Project, alert: Alert, possible: Callable[[Any], Labels]) -> set[str] | None:
    """The label names the alert can carry when Alertmanager gets it; None when some are not known."""
    try:
        result = possible(parse(alert.condition))
    except PromQLError:  # XR010 reports it
        return None
    if OPEN in result:
        return None
    escalates = {ESCALATION_LEVEL_LABEL} if escalation_labels(project, alert) else set()
    return {"alertname", *result, *sent_labels(project, alert), *escalates}


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    inhibitions = project.all(Inhibition)
    if not inhibitions:
        return
    others = {alert.name for alert in project.all(LogAlert)} | {
        alert.name for rule_set in project.all(RuleSet) for alert in rule_set.alerts()}
    reader = possible_labels_of(context)  # the build's, shared with SM011/SM012/SM014/SM020
    carried: dict[str, set[str] | None] = {}
    for inhibition in inhibitions:
        for side in ("source", "target"):
            matchers: dict[str, str] = getattr(inhibition, side)
            alert = project.alerts.get(matchers.get("alertname", ""))
            if alert is None or alert.name in others:  # another alert of the name may carry the label
                continue
            if alert.name not in carried:
                carried[alert.name] = _carried(project, alert, reader)
            known = carried[alert.name]
            missing = [label for label in matchers if known is not None and label not in known]
            if missing:
                yield Finding(inhibition, f"inhibition {inhibition.name!r}: its {side} matches alert {alert.name} "
                                          f"on {', '.join(missing)}, which {alert.name} never carries (it carries "
                                          f"{', '.join(sorted(known or ()))}), so the rule never mutes anything",
                              (side,))
