"""A Prometheus restart at 1x does not fire PrometheusNotificationsDropped (report-pipeline55: at 60x it went pending
for 12 s of its ~21 s `for`). A just-started Prometheus drops the alerts its first evaluations send before its
discovery hands the notifier the Alertmanagers (at most every 5 s): the counter steps within one or two of the 15 s
self-scrapes, and 5 minutes of `increase` hold that burst 5 minutes at most: its `for` is 6 (it was 5, and fired).
The shipped rule (out/), run by the real promtool at the stack's 15 s evaluations, every one of 45 minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.servers import promtool_test

RULES = Path(__file__).resolve().parents[2] / "out" / "prometheus" / "rules" / "meta-monitoring.yml"
NAME = "PrometheusNotificationsDropped"
DROPPED = 'prometheus_notifications_dropped_total{job="prometheus",instance="p:9090"}'
BEFORE, DOWN = "x79", " _x3 "
"""20 minutes of 15 s self-scrapes before the restart, and the minute Prometheus is down."""


FIRING = f'count(count_over_time(ALERTS{{alertname="{NAME}",alertstate="firing"}}[45m]))'


@pytest.mark.parametrize("after", ["1x100", "0 2 3x100", "2 5x100"],
                         ids=["its first batch, before the first self-scrape", "batches seen by two self-scrapes",
                              "batches before and after the first self-scrape"])
@pytest.mark.parametrize("before", ["0", "40"], ids=["none dropped before", "some dropped before (counter reset)"])
def test_a_restart_dropping_its_first_batches_never_fires(
        tmp_path: Path, before: str, after: str) -> None:
    rule = next(rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
                if rule.get("alert") == NAME)
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "meta", "rules": [rule]}]}))
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "15s", "tests": [{
        "interval": "15s", "input_series": [{"series": DROPPED, "values": before + BEFORE + DOWN + after}],
        "promql_expr_test": [{"expr": FIRING, "eval_time": "45m", "exp_samples": []}]}]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
