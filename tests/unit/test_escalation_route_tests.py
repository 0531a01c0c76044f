"""The routing tests `obsgen check` runs (alertmanager/tests/routes.yml) expect of each escalation level what the
generated routes send, for a policy whose levels page PagerDuty twice and a generic severity that pages: both
read derive.escalation.climb, so a PagerDuty incident opened by the alert or a lower level is never expected to be
opened again. amtool routes each case's labels through the generated alertmanager.yml."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.model import EscalationPolicy
from generator.model.notify import EscalationLevel
from generator.model.project import Project
from generator.targets import alertmanager, route_tests

needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")
PAGING_TWICE = (EscalationLevel(after="15m", channels=("email_team_lead", "webhook_pagerduty")),
                EscalationLevel(after="30m", channels=("email_manager",)),
                EscalationLevel(after="60m", channels=("email_director", "webhook_pagerduty", "slack_urgent")))


def _variant(project: Project, critical: tuple[str, ...]) -> Project:
    """The shipped project with its policy paging at levels 1 and 3, and the critical severity's channels these."""
    objects = tuple(obj.model_copy(update={"levels": PAGING_TWICE}) if isinstance(obj, EscalationPolicy) else obj
                    for obj in project.objects)
    severities = tuple(severity.model_copy(update={"channels": critical}) if severity.name == "critical" else severity
                       for severity in project.alerting.severities)
    alerting = project.alerting.model_copy(update={"severities": severities})
    return dataclasses.replace(project, objects=objects, alerting=alerting)


@needs_amtool
@pytest.mark.parametrize("critical", [("email", "slack"), ("email", "webhook_pagerduty")])
def test_each_escalation_case_expects_the_receiver_the_routes_send(project: Project, tmp_path: Path,
                                                                   critical: tuple[str, ...]) -> None:
    variant = _variant(project, critical)
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(alertmanager.config(variant)))
    cases = [case for case in route_tests.expectations(variant) if "escalation_level" in case["labels"]]
    assert cases
    wrong = []
    for case in cases:
        labels = [f"{name}={value}" for name, value in case["labels"].items()]
        routed = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={config}", *labels],
                                capture_output=True, text=True, timeout=30, check=True).stdout.strip()
        if routed != case["receiver"]:
            wrong.append(f"{case['name']}: expected {case['receiver']}, routed {routed}")
    assert not wrong, "\n".join(wrong)
