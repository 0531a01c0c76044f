"""SM023's reading of Prometheus, run by the real promtool on what Prometheus has stored a week after a recording
rule was renamed: the history is under the old name, the new name starts at the rename. A baseline read from the
recorded series at `offset 1w` finds nothing and the alert stays silent through a drop to a third; the shipped
RevenueDrop's form, the baseline from the raw counter at the offset, fires. So does a subquery at the offset
(`max_over_time(rule[1h:10m] offset 1w)`): silent under the new name, firing on the name the history is under."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.servers import promtool_test

WEEK = 1008
"""Samples in a week, 10 minutes apart."""


def test_a_renamed_rules_recorded_baseline_is_silent_through_a_drop_a_raw_counters_fires(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "RecordedBaseline", "expr": "job:revenue:increase1h_v2 < 0.5 * job:revenue:increase1h_v2 offset 1w"},
        {"alert": "RawBaseline", "expr": "job:revenue:increase1h_v2"
                                         " < 0.5 * sum by (job) (increase(revenue_total[1h] offset 1w))"},
        # a subquery at the offset reads the recorded series as far back (alerts59): silent under the new name, and
        # firing when the name read last week is the one the history is under
        {"alert": "SubqueryBaseline", "expr": "job:revenue:increase1h_v2"
                                              " < 0.5 * max_over_time(job:revenue:increase1h_v2[1h:10m] offset 1w)"},
        {"alert": "SubqueryOldName", "expr": "job:revenue:increase1h_v2"
                                             " < 0.5 * max_over_time(job:revenue:increase1h[1h:10m] offset 1w)"},
    ]}]}))
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "10m", "tests": [{
        "interval": "10m",
        "input_series": [
            {"series": 'revenue_total{job="shop"}', "values": f"0+1000x{WEEK} {WEEK * 1000}+300x30"},  # 6000/h, 1800/h
            {"series": 'job:revenue:increase1h{job="shop"}', "values": f"6000x{WEEK} stale"},  # the old name's week
            {"series": 'job:revenue:increase1h_v2{job="shop"}', "values": f"_x{WEEK} 1800x30"},  # renamed at 1w
        ],
        "alert_rule_test": [
            {"eval_time": "1w4h", "alertname": "RecordedBaseline", "exp_alerts": []},
            {"eval_time": "1w4h", "alertname": "RawBaseline", "exp_alerts": [{"exp_labels": {"job": "shop"}}]},
            {"eval_time": "1w4h", "alertname": "SubqueryBaseline", "exp_alerts": []},
            {"eval_time": "1w4h", "alertname": "SubqueryOldName", "exp_alerts": [{"exp_labels": {"job": "shop"}}]},
        ],
    }]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
