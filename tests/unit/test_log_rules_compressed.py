"""Log alerts and log recording rules in a time-compressed build: LogQL `for`s and ranges shrink as PromQL's do."""

from __future__ import annotations

import re

import yaml

from generator.build import compile_definitions
from generator.core import logql
from generator.derive.time_compression import apply, with_objects
from generator.model import Alert, LogAlert, LogRecordingRule
from generator.model.profile import Profile
from generator.model.project import Project
from tests.conftest import DEFINITIONS

UP = Profile(time_scale=1 / 60, scrape_interval="1s")  # obsgen up's 60x


def _twins(project: Project, alerts: list[LogAlert]) -> list[Alert]:
    """An obsgen Alert per log alert with its `for`, reading one PromQL range per LogQL range of it."""
    model = next(iter(project.all(Alert)))
    return [model.model_copy(update={
        "name": f"Twin{index}", "for_": alert.for_, "heartbeat": None,
        "expr": " + ".join(f"count_over_time(x[{window}])" for window in logql.parse(alert.expr).ranges)})
        for index, alert in enumerate(alerts)]


def test_log_alerts_compress_as_an_equal_obsgen_alert_does(project: Project) -> None:
    alerts = project.all(LogAlert)
    assert alerts
    fast = apply(with_objects(project, (*project.objects, *_twins(project, alerts))), UP)
    twins = {alert.name: alert for alert in fast.all(Alert)}
    for index, (before, after) in enumerate(zip(alerts, fast.all(LogAlert), strict=True)):
        twin = twins[f"Twin{index}"]
        assert after.for_ == twin.for_ != before.for_, before.name
        assert list(logql.parse(after.expr).ranges) == re.findall(r"\[([^\]]+)\]", twin.expr), before.name


def test_log_recording_rules_compress_and_strings_that_look_like_ranges_do_not(project: Project) -> None:
    rule = next(iter(project.all(LogRecordingRule)))
    odd = rule.model_copy(update={"name": "odd", "expr": 'sum(count_over_time({app="a"} |= "took [5m]" '
                                                         '|= `offset 1h` [10m] offset 1h))'})
    fast = apply(with_objects(project, (*project.objects, odd)), UP)
    compressed = {r.name: r for r in fast.all(LogRecordingRule)}
    assert compressed["odd"].expr == 'sum(count_over_time({app="a"} |= "took [5m]" |= `offset 1h` [20s] offset 1m))'
    assert compressed[rule.name].expr != rule.expr


def test_a_compressed_build_writes_lokis_rule_files_in_compressed_time(project: Project) -> None:
    rendered = compile_definitions(DEFINITIONS, UP).rendered
    assert rendered is not None
    fast = {alert.name: alert for alert in apply(project, UP).all(LogAlert)}
    written: dict[str, dict[str, str]] = {}  # each alert's own rule, written before its escalation levels' copies
    for path, document in rendered.items():
        if path.startswith("loki/rules/"):
            for group in yaml.safe_load(yaml.safe_dump(document))["groups"]:
                for rule in group["rules"]:
                    written.setdefault(rule.get("alert", ""), rule)
    for alert in project.all(LogAlert):
        assert written[alert.name].get("for") == fast[alert.name].for_ != alert.for_
        assert written[alert.name]["expr"] == fast[alert.name].expr
