"""An SLO's `labels` (a team's `team="payments"`) reach every alert derived from it, burn-rate and absent alike,
and its recorded series, as Sloth's SLO labels do: a team that labels its own alerts labels its SLO (newuser53)."""

from __future__ import annotations

from pathlib import Path

from generator.build import compile_definitions
from generator.model import SLO
from tests.slo.test_absent import CALLS
from tests.slo.tiny import write


def test_an_slos_labels_reach_its_burn_and_absent_alerts_and_its_rules(tmp_path: Path) -> None:
    labelled = CALLS.replace('description="Calls succeed",', 'description="Calls succeed", labels={"team": "rpc"},')
    assert labelled != CALLS
    project = compile_definitions(write(tmp_path, labelled)).project
    assert project is not None
    slo = project.all(SLO)[0]
    derived = [alert for alert in project.alerts.values() if alert.name.startswith("RpcAvailability")]
    assert {alert.name for alert in derived} >= {"RpcAvailabilityBudgetBurn1h", "RpcAvailabilitySLIAbsent"}
    assert all(alert.labels.get("team") == "rpc" for alert in derived), {a.name: a.labels for a in derived}
    rules = [rule for rule in project.recording_rules.values() if rule.name.startswith("slo:")]
    assert rules and all(rule.labels.get("team") == "rpc" for rule in rules)
    assert slo.labels == {"team": "rpc"}
