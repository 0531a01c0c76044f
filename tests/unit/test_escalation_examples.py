"""The promtool tests of an escalation policy feed its alert's ALERTS series: with the labels that alert fires with in
its own firing example (which its own promtool test proves), so the series is one Prometheus could write, not a
made-up instance on an alert whose expression keeps other labels (AppDown of `obsgen init` keeps job and instance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.build import load
from generator.derive.examples import series_labels
from generator.model.project import Project
from generator.scaffold import create
from generator.targets.rule_test_cuts import CUTS_DIR
from generator.targets.rule_tests import render

ROOT = Path(__file__).resolve().parents[2]


def _fired_labels(files: dict[str, dict[str, Any]], alertname: str) -> list[dict[str, str]]:
    """The labels each firing example of the alert's own tests expects it to fire with."""
    return [expected["exp_labels"] for name, file in files.items() if "/escalation-" not in name
            for test in file["tests"] for check in test["alert_rule_test"] if check["alertname"] == alertname
            for expected in check["exp_alerts"]]


@pytest.mark.parametrize("source", ["shipped definitions", "obsgen init"])
def test_an_escalation_test_feeds_the_series_its_alert_fires_with(source: str, tmp_path: Path,
                                                                  project: Project) -> None:
    if source == "obsgen init":
        create(tmp_path, "team")
        project = load(tmp_path / "definitions")
    # the test files (the cut rule files some of them load beside them hold no tests)
    files = {name: document for name, document in render(project).items() if not name.startswith(f"{CUTS_DIR}/")}
    escalations = {name: file for name, file in files.items() if "/escalation-" in name}
    assert escalations
    for name, file in escalations.items():
        for test in file["tests"]:
            # beside an example's own series where a test replays it (an example that fires no level feeds none)
            fed = [labels for metric, labels in (series_labels(s["series"]) for s in test["input_series"])
                   if metric == "ALERTS"]
            assert len(fed) == 1 or (not fed and test["name"].endswith("no level fires")), test["name"]
            for labels in fed:
                assert labels.pop("alertstate") == "firing", labels
                alertname = labels.pop("alertname")
                assert labels in _fired_labels(files, alertname), (name, test["name"], labels)
