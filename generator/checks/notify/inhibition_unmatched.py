"""An inhibit rule's source or target names an alert of the project and a label that alert never carries.

An `Inhibition` mutes the alerts matching every label of its `target` while an alert matching every label of its
`source` fires. An alert carries its result's labels (what its expression keeps), the labels its rule sets
(severity, its escalation policy, `Alert.labels`), `escalation_level` on its escalation copies, alertname, and the
stack's external labels. A matcher on a label the named alert has none of matches no alert of that name, so the
rule never mutes anything, and Alertmanager says nothing of it. Judged only where the side names one of the
project's alerts by alertname (an `Alert`, the alerts obsgen derives from an SLO, a `LogAlert` Loki's ruler sends:
its result's labels are those its aggregation keeps, `sum by (service_name) (...)`), and every alert of that name
has labels all known (no undeclared series, no LogQL shape whose labels its text does not tell); a name an
imported rule set's alert has too is not judged.

    Inhibition(name="queue backlog mutes", source={"alertname": "PaymentsSLIAbsent"},
               target={"alertname": "PaymentQueueBacklog", "tier": "payments"})   # PaymentQueueBacklog has no tier

Fix: match a label the alert carries (`obsgen check` lists none other), or add the label to the alert
(`Alert.labels`), or leave the alertname out of the side if it is meant to match other alerts.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.checks.semantics.result_readers import rule_result_labels
from generator.core.errors import Level
from generator.derive.escalation import escalation_labels
from generator.derive.examples import sent_labels
from generator.model import Alert, LogAlert, RuleSet, ScrapeJob
from generator.model.alerts import AlertRule
from generator.model.conventions import ESCALATION_LEVEL_LABEL
from generator.model.notify import Inhibition

CODE = "NT011"
NAME = "inhibition-label-no-alert-carries"
LEVEL = Level.WARNING
READS_EVERY = (ScrapeJob,)  # a failed ScrapeJob statement may have added the label (its `labels`)


def _result(context: Context, alert: AlertRule) -> frozenset[str] | None:
    """The label names the alert's expression result can carry; None when some are not known."""
    if isinstance(alert, LogAlert):  # None for a shape its text does not tell (a bare range aggregation)
        result = rule_result_labels(context, alert.expr, logql=True)
    elif isinstance(alert, Alert):  # None for an open set, or an expression XR010 reports
        result = rule_result_labels(context, alert.condition, logql=False)
    else:
        return None
    return None if result is None else frozenset(result)


def _carried(context: Context, alerts: list[AlertRule]) -> set[str] | None:
    """The label names the alerts of one name can carry when Alertmanager gets them; None when some are not known."""
    project, carried = context.project, {"alertname"}
    for alert in alerts:
        result = _result(context, alert)
        if result is None:
            return None
        escalates = {ESCALATION_LEVEL_LABEL} if escalation_labels(project, alert) else set()
        carried |= {*result, *sent_labels(project, alert), *escalates}
    return carried


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    inhibitions = project.all(Inhibition)
    if not inhibitions:
        return
    imported = {alert.name for rule_set in project.all(RuleSet) for alert in rule_set.alerts()}
    named: dict[str, list[AlertRule]] = {}
    for alert in (*project.alerts.values(), *project.all(LogAlert)):  # obsgen's: an SLO's among them
        named.setdefault(alert.name, []).append(alert)
    carried: dict[str, set[str] | None] = {}
    for inhibition in inhibitions:
        for side in ("source", "target"):
            matchers: dict[str, str] = getattr(inhibition, side)
            name = matchers.get("alertname", "")
            if name not in named or name in imported:  # an imported alert of the name may carry the label
                continue
            if name not in carried:
                carried[name] = _carried(context, named[name])  # the build's label readers (result_readers)
            known = carried[name]
            missing = [label for label in matchers if known is not None and label not in known]
            if missing:
                yield Finding(inhibition, f"inhibition {inhibition.name!r}: its {side} matches alert {name} "
                                          f"on {', '.join(missing)}, which {name} never carries (it carries "
                                          f"{', '.join(sorted(known or ()))}), so the rule never mutes anything",
                              (side,))
