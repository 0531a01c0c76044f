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



def _fired(tmp_path: Path, rules: list[dict[str, str]], every: str, series: dict[str, str],
           checks: list[tuple[str, str, bool]]) -> None:
    """promtool's test of the rules: each (eval_time, alertname, whether it fires) holds."""
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    document = {"rule_files": ["rules.yml"], "evaluation_interval": every, "tests": [{
        "interval": every, "input_series": [{"series": name, "values": values} for name, values in series.items()],
        "alert_rule_test": [{"eval_time": at, "alertname": name, "exp_alerts": [{}] if fires else []}
                            for at, name, fires in checks],
    }]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_a_subquery_at_last_weeks_offset_adds_no_wait(tmp_path: Path) -> None:
    """alerts59: a subquery read a week back is a baseline, not a wait (SM022 does not count it): against last
    week's peak the condition is true at the first evaluation after the drop, and `for` is the whole wait."""
    week = 1008  # samples 10 minutes apart
    _fired(tmp_path, [{"alert": "BelowLastWeeksPeak", "expr": "x < 0.5 * max_over_time(x[2h:10m] offset 1w)",
                       "for": "5h"}],
           "10m", {"x": f"10x{week - 1} 2x40"},  # 10 for a week, then 2 from 1w
           [(f"{week * 10 + 290}m", "BelowLastWeeksPeak", False), (f"{week * 10 + 300}m", "BelowLastWeeksPeak", True)])


def test_a_range_read_five_minutes_back_still_waits_its_window(tmp_path: Path) -> None:
    """alerts59: an offset under an hour does not make a range a baseline (SM022 counts it): the hour's rate read
    5 minutes back crosses its threshold 5 minutes later than the same rate now, then waits all of `for`."""
    _fired(tmp_path, [{"alert": "ShortOffset", "expr": "sum(rate(x_total[1h] offset 5m)) > 1", "for": "2h"}],
           "1m", {"x_total": "0x10 300+300x400"},  # 0, then 5/s from 10m
           [("143m", "ShortOffset", False), ("148m", "ShortOffset", True)])
