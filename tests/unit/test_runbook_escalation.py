"""A runbook's escalation table, and the level's own notification ("... telling X."), name who each level tells as
Alertmanager routes the level's copy: an on-call engineer reading "3 | 60m | email_director, webhook_pagerduty" for
CpuHigh waits for a PagerDuty page that its level 3 never sends (the alert's own PagerDuty incident is open, and a
level's would be a second one)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.derive.time_compression import apply
from generator.model import conventions
from generator.model.identity import receiver_name
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import docs, loki

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "out/alertmanager/alertmanager.yml"
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed (make test installs it)")


def _copies() -> dict[tuple[str, str], tuple[dict[str, str], str]]:
    """The labels of every escalation copy shipped in out/ (Prometheus' and Loki's rules), by (alert, level): its
    alert's (Prometheus' copy reads them from the alert's ALERTS series) and its level; and its description."""
    alerts: dict[str, dict[str, str]] = {}
    levels: list[tuple[str, str, str]] = []
    for path in sorted([*(ROOT / "out/prometheus/rules").glob("*.yml"), *(ROOT / "out/loki/rules").rglob("*.yaml")]):
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups") or ():
            for rule in group.get("rules") or ():
                labels = {name: str(value) for name, value in (rule.get("labels") or {}).items()}
                if "alert" not in rule:
                    continue
                level = labels.pop(conventions.ESCALATION_LEVEL_LABEL, "")
                if level:
                    levels.append((rule["alert"], level, rule["annotations"]["description"]))
                else:
                    alerts.setdefault(rule["alert"], {"alertname": rule["alert"], **labels})
    return {(alert, level): ({**alerts[alert], conventions.ESCALATION_LEVEL_LABEL: level}, description)
            for alert, level, description in levels}


def _table(page: str) -> dict[str, str]:
    """The channels the runbook's escalation table names per level (its words before any parenthesis)."""
    rows = re.findall(r"^\| (\d+) \| [^|]+ \| ([^|(]+?)(?: \([^|]*\))? \|$", page, re.MULTILINE)
    return {level: channels for level, channels in rows}


@needs_amtool
def test_each_level_of_a_runbook_and_of_its_notification_names_the_receiver_amtool_routes_its_copy_to(
        project: Project) -> None:
    pages = {**docs.render(project), **loki.runbooks(project)}
    copies = _copies()
    assert ("CpuHigh", "3") in copies and len(copies) > 20
    external = dict(project.stack.external_labels)
    for (alert, level), (labels, description) in copies.items():
        shown = _table(pages[conventions.runbook_page(alert)])[level]
        routed = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={SHIPPED}",
                                 *(f"{k}={v}" for k, v in {**external, **labels}.items())],
                                capture_output=True, text=True, timeout=30, check=True).stdout.strip()
        assert receiver_name(tuple(shown.split(", "))) == routed, (alert, level, shown, routed)
        told = re.search(r"telling (.*)\.$", description)
        assert told and receiver_name(tuple(told[1].split(", "))) == routed, (alert, level, description, routed)


def test_a_level_that_pages_again_says_which_incident_climbs_instead(project: Project) -> None:
    page = docs.render(project)[conventions.runbook_page("CpuHigh")]
    assert ("| 3 | 60m | email_director (not webhook_pagerduty: the PagerDuty incident the alert opened climbs by "
            "PagerDuty's own escalation) |") in page


def test_a_compressed_builds_runbook_says_its_examples_are_in_the_definitions_time(project: Project) -> None:
    """The live stack's CpuHigh runbook read "held for 22s500ms" above "fires at 11m": the examples are the
    definitions' own, not compressed with the build."""
    live = docs.render(apply(project, Profile(time_scale=1 / 60)))[conventions.runbook_page("CpuHigh")]
    assert "held for 22s500ms." in live and "- idle 5% (95% busy) for 7 minutes fires: fires at 11m\n" in live
    assert ("## Examples (run as promtool tests of the definitions' own build, in its time: this build runs 60x "
            "faster)\n") in live
    assert "## Examples (run as promtool tests)\n" in docs.render(project)[conventions.runbook_page("CpuHigh")]
