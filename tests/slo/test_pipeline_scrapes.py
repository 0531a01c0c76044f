"""The metrics pipeline's scrapes SLO pages when the pipeline fails, not when one target of it does
(report-pipeline55): a dead node-exporter, a dead sidecar exporter or one Alertmanager of the pair is TargetDown's
warning, not the director's page. The shipped rules (out/), run by the real promtool, over an hour and more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import promtool_test

RULES = Path(__file__).resolve().parents[2] / "out" / "prometheus" / "rules"
TARGETS = {"prometheus": "p:9090", "alertmanager": "am-1:9093", "node": "n1:9100", "obsgen-exporter": "e:9464"}
SECOND_ALERTMANAGER = 'up{job="alertmanager",instance="am-2:9093"}'
FIRING = 'ALERTS{slo="scrapes",service="metrics-pipeline",alertstate="firing"}'
PAGES = ("MetricsPipelineScrapesBudgetBurn1h", "MetricsPipelineScrapesBudgetBurn6h")


def _up(job: str) -> str:
    return f'up{{job="{job}",instance="{TARGETS[job]}"}}'


def _stack(**dead: str) -> list[dict[str, str]]:
    """The live stack's targets (an Alertmanager pair), answering every minute for 2 hours but the `dead` ones."""
    values = {**{_up(job): "1x120" for job in TARGETS}, SECOND_ALERTMANAGER: "1x120"}
    return [{"series": series, "values": dead.get(series, value)} for series, value in values.items()]


def _shipped() -> list[dict[str, Any]]:
    """The SLO's rules, and the recordings of recording.yml they read."""
    slo: list[dict[str, Any]] = yaml.safe_load((RULES / "slo-metrics-pipeline-scrapes.yml").read_text())["groups"]
    read = "\n".join(str(rule["expr"]) for group in slo for rule in group["rules"])
    recorded = [{"name": "recorded", "rules": [rule for group in yaml.safe_load(
        (RULES / "recording.yml").read_text())["groups"] for rule in group["rules"] if rule["record"] in read]}]
    return [group for group in recorded if group["rules"]] + slo


def _run(tmp_path: Path, series: list[dict[str, str]], expected: list[dict[str, object]]) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": _shipped()}))
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [
        {"interval": "1m", "input_series": series, "promql_expr_test": expected}]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr


@pytest.mark.parametrize("dead", [_up("node"), _up("obsgen-exporter"), SECOND_ALERTMANAGER],
                         ids=["node-exporter", "sidecar exporter", "one Alertmanager of the pair"])
def test_one_target_down_for_two_hours_pages_nobody(tmp_path: Path, dead: str) -> None:
    """Neither a page (1h, 6h) nor a ticket: its TargetDown (warning) tells, after 10 minutes."""
    _run(tmp_path, _stack(**{dead: "0x120"}),
         [{"expr": FIRING, "eval_time": at, "exp_samples": []} for at in ("1h", "2h")])


@pytest.mark.parametrize("dead", [(_up("alertmanager"), SECOND_ALERTMANAGER), (_up("prometheus"),)],
                         ids=["both Alertmanagers", "Prometheus' own scrapes"])
def test_the_pipeline_failing_for_an_hour_still_pages(tmp_path: Path, dead: tuple[str, ...]) -> None:
    _run(tmp_path, _stack(**dict.fromkeys(dead, "1x10 0x110")), [
        {"expr": f'count by (alertname) ({FIRING[:-1]},severity="critical"}})', "eval_time": "1h10m",
         "exp_samples": [{"labels": f'{{alertname="{name}"}}', "value": 1} for name in PAGES]}])
