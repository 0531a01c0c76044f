"""Escalation that survives flapping, shown by promtool on the generated rules of CpuHigh and its ladder.

CpuHigh is judged on a window (the median of the last 5 minutes above 90%), so a one-minute dip no longer clears
it; a dip of 3 minutes every 20 does, for 3 or 4 evaluations. CPU above 90% for 102 of 120 minutes, dipping to 40%
for 3 minutes every 20: CpuHigh stays firing through each dip (keep_firing_for, the policy's flap tolerance), so
its first escalation level is reached 15 minutes after it fired. The same rules with no flap tolerance resolve
CpuHigh at every dip, restart its `for`, and never reach level 1: the failure the tolerance fixes. A dip longer
than the tolerance is a new incident.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from generator.core.gotemplate import render
from generator.derive.time_compression import with_objects
from generator.model import EscalationPolicy
from generator.model.project import Project
from generator.targets.prometheus import rule_groups

CPU = 'instance:cpu_usage:percent{instance="web-1"}'
GROUPS = ("alerts", "escalation-default-alerts")
"""CpuHigh's rule group and that of its escalation copies."""
LEVEL_1 = 'count(ALERTS{alertname="CpuHigh",alertstate="firing",escalation_level="1"})'
FIRING = 'count(ALERTS{alertname="CpuHigh",alertstate="firing",escalation_level=""})'


def _minutes(*runs: tuple[float, int]) -> str:
    """promtool values: each (value, minutes) run one sample a minute."""
    return " ".join(f"{value:g}x{count - 1}" if count > 1 else f"{value:g}" for value, count in runs)


def _flapping(dip: int) -> str:
    """120 minutes above 90% CPU, dipping to 40% for `dip` minutes at the end of every 20."""
    return _minutes(*[run for _ in range(6) for run in ((95.0, 20 - dip), (40.0, dip))])


def _expect(expr: str, minute: int, count: int | None) -> dict[str, Any]:
    samples = [{"labels": "{}", "value": count}] if count is not None else []
    return {"expr": expr, "eval_time": f"{minute}m", "exp_samples": samples}


def _promtool(project: Project, tmp_path: Path, series: str, checks: list[dict[str, Any]],
              alert_checks: tuple[dict[str, Any], ...] = ()) -> str:
    """Failures promtool reports for the alerts and escalation rules fed `series` ('' if none)."""
    groups = rule_groups(project)
    for name in GROUPS:
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(groups[name]))
    # the alerts before their ladder at each step, as the docstring counts: promtool's own order varies per run,
    # and at the 20th minute level 1 is present or not depending on it
    order = [group["name"] for name in GROUPS for group in groups[name]["groups"]]
    (tmp_path / "test.yml").write_text(yaml.safe_dump({
        "rule_files": [f"{name}.yml" for name in GROUPS], "evaluation_interval": "1m", "group_eval_order": order,
        "tests": [{"interval": "1m", "input_series": [{"series": CPU, "values": series}],
                   "promql_expr_test": checks, "alert_rule_test": list(alert_checks)}]}))
    result = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def _without_flap_tolerance(project: Project) -> Project:
    return with_objects(project, tuple(obj.model_copy(update={"flap_tolerance": "0s"})
                                       if isinstance(obj, EscalationPolicy) else obj for obj in project.objects))


def test_cpu_above_90_for_102_of_120_minutes_with_three_minute_dips_reaches_level_1(
        project: Project, tmp_path: Path) -> None:
    # CpuHigh fires at 5m and holds through the dips (its median under 90 at minutes 19-21 and 39-41, and 20 and
    # 40 are checked); level 1 15 minutes later, level 2 at 35m
    checks = [_expect(FIRING, 5, 1), _expect(FIRING, 20, 1), _expect(FIRING, 40, 1), _expect(LEVEL_1, 19, None),
              _expect(LEVEL_1, 20, 1), _expect(LEVEL_1, 60, 1), _expect(LEVEL_1, 119, 1)]
    assert _promtool(project, tmp_path, _flapping(dip=3), checks) == ""


def test_without_a_flap_tolerance_the_same_cpu_never_reaches_level_1(project: Project, tmp_path: Path) -> None:
    # the same 3-minute dips: the windowed condition clears at each, CpuHigh resolves (minute 20 inside the first)
    # and its `for` restarts after, so it never fires 15 minutes on end
    checks = [_expect(FIRING, 20, None), _expect(LEVEL_1, 60, None), _expect(LEVEL_1, 119, None)]
    assert _promtool(_without_flap_tolerance(project), tmp_path, _flapping(dip=3), checks) == ""


def test_a_dip_longer_than_the_tolerance_resolves_and_restarts_the_ladder(project: Project, tmp_path: Path) -> None:
    # 10 minutes at 40% (minutes 10-19): the 5-minute median is under 90 from minute 12 (3 samples of the dip in the
    # window) to 21 or 22, CpuHigh resolves 5 minutes in (the tolerance), is pending again at 25 and fires again
    # 5 minutes after the median is back above 90; level 1, due at 20, never came, nor at 35 (the ladder restarted)
    checks = [_expect(FIRING, 9, 1), _expect(FIRING, 18, None), _expect(FIRING, 25, None), _expect(FIRING, 29, 1),
              _expect(LEVEL_1, 20, None), _expect(LEVEL_1, 35, None)]
    assert _promtool(project, tmp_path, _flapping(dip=10), checks) == ""


def _cpu_high(project: Project, minute: int, *levels: tuple[str, str]) -> dict[str, Any]:
    """CpuHigh on web-1 at `minute`: the alert and its escalation copies, as (level, summary) ("" for the alert),
    each with its rule's other annotations rendered for web-1."""
    groups = rule_groups(project)
    rules = {rule.get("labels", {}).get("escalation_level", ""): rule
             for name in GROUPS for rule in groups[name]["groups"][0]["rules"]
             if rule.get("alert") == "CpuHigh"}
    base = {"instance": "web-1", **rules[""]["labels"]}
    alerts = []
    for level, summary in levels:
        labels = {**base, **({"escalation_level": level} if level else {})}
        annotations = {key: render(text, labels, 95.0) for key, text in rules[level]["annotations"].items()}
        alerts.append({"exp_labels": labels, "exp_annotations": {**annotations, "summary": summary}})
    return {"eval_time": f"{minute}m", "alertname": "CpuHigh", "exp_alerts": alerts}


def test_an_escalation_copy_shows_the_value_the_alert_fired_with(project: Project, tmp_path: Path) -> None:
    # 95% CPU for 40 minutes: CpuHigh fires at 5m, level 1 at 20m; both say 95.0%, where the copy said "…%"
    summary = "CPU on web-1 at 95.0% (above 90% for 5 minutes)"
    check = _cpu_high(project, 25, ("", summary), ("1", summary))
    failures = _promtool(project, tmp_path, _minutes((95.0, 40)), [], (check,))
    assert failures == "", failures


def test_in_a_dip_the_alert_holds_through_its_copy_fires_on_and_says_it_has_no_value(project: Project,
                                                                                     tmp_path: Path) -> None:
    # at minute 39 CPU has been at 40% for 3 minutes, its 5-minute median under 90: CpuHigh holds (keep_firing_for)
    # with its last text; levels 1 and 2 (reached at 20m and 35m) hold too, with no value to show (NaN, not ALERTS'
    # 1): their text says so (where Go prints "NaN%"), their `for` not restarted
    nan = "CPU on web-1 at no current value (above 90% for 5 minutes)"
    held = _cpu_high(project, 39, ("", "CPU on web-1 at 95.0% (above 90% for 5 minutes)"), ("1", nan), ("2", nan))
    failures = _promtool(project, tmp_path, _flapping(dip=3), [], (held,))
    assert failures == "", failures
