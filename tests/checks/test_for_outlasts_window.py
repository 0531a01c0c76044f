"""SM022's reading of Prometheus, run by the real promtool: a `for` of two windows or more holds the alert that long
after the window crossed its threshold, not the window its reader expects; one within the window fires within it."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.servers import promtool_test

EXPR = "sum(rate(x_total[1h])) > 1"


def test_a_for_of_two_windows_fires_two_hours_after_a_step_a_for_within_the_window_within_the_hour(
        tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "TwoWindows", "expr": EXPR, "for": "2h"}, {"alert": "WithinWindow", "expr": EXPR, "for": "30m"}]}]}))
    never: list[dict[str, str]] = []
    fired: list[dict[str, str]] = [{}]
    checks = [(55, "WithinWindow", fired), (70, "TwoWindows", never), (141, "TwoWindows", never),
              (143, "TwoWindows", fired)]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [{"series": "x_total", "values": "0x10 300+300x400"}],  # 0, then 5/s from 10m
        "alert_rule_test": [{"eval_time": f"{at}m", "alertname": name, "exp_alerts": exp} for at, name, exp in checks],
    }]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
