"""Scenarios and their expectations as promtool test files over the shipped rule files, and running them."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from generator.core.promql import metric_names
from generator.derive.escalation import alert_escalation
from generator.derive.slo.rules import group as slo_group
from generator.model import SLO, Alert, conventions
from generator.model.project import Project
from generator.targets.rule_tests import EVALUATION_INTERVAL, promtool_file
from tests.scenarios import world
from tests.scenarios.behaviour import checks
from tests.scenarios.expected import SHOP_ALERTS, behaviour
from tests.scenarios.library import SCENARIOS, Scenario, background


def scenario_alerts(project: Project) -> list[Alert]:
    """The alerts the library covers: all but SLO burn-rate alerts, which have their own generated scenarios
    over the long windows they read (tests/slo/test_scenarios.py)."""
    slo_groups = {slo_group(slo) for slo in project.all(SLO)}
    return [alert for alert in project.alerts.values() if alert.group not in slo_groups]


def shipped_rule_files(project: Project, out: Path, into: Path, ladders: frozenset[str] = frozenset()) -> list[str]:
    """The rule files of those alerts, with the recording rules they read, as copies in `into` holding only the
    rules a scenario run can see: promtool evaluates every loaded rule at every step, and a rule nothing reads costs
    most of what one the checks read does (an eight-day run: 5,760 steps). Left out are recording rules no alert reads,
    transitively (they read series no scenario has), and the escalation copies of alerts other than `ladders`, the
    alerts whose levels a scenario checks (every other check leaves escalation copies out)."""
    groups = {alert.group for alert in scenario_alerts(project)}
    groups |= {level.group for name in ladders for level in alert_escalation(project, project.alerts[name])[:1]}
    files = {path for group in groups for path in promtool_file(project, group, EVALUATION_INTERVAL)["rule_files"]}
    documents = {path: yaml.safe_load((out / conventions.RULE_TESTS_DIR / path).read_text()) for path in files}
    for document in documents.values():
        for group in document["groups"]:
            if group["name"].startswith(conventions.ESCALATION_GROUPS.prefix):
                group["rules"] = [rule for rule in group["rules"] if rule["alert"] in ladders]
    alerts = [rule for document in documents.values() for group in document["groups"] for rule in group["rules"]
              if "alert" in rule]
    recorded = {rule["record"]: rule for document in documents.values() for group in document["groups"]
                for rule in group["rules"] if "record" in rule}
    read: set[str] = set()
    todo = [rule["expr"] for rule in alerts]
    while todo:
        for name in metric_names(todo.pop()) - read:
            read.add(name)
            if name in recorded:
                todo.append(recorded[name]["expr"])
    into.mkdir(exist_ok=True)
    written = []
    for path, document in sorted(documents.items()):
        for group in document["groups"]:
            group["rules"] = [rule for rule in group["rules"] if rule.get("record", "") in read or "alert" in rule]
        document["groups"] = [group for group in document["groups"] if group["rules"]]
        copy = into / Path(path).name
        copy.write_text(yaml.safe_dump(document, sort_keys=False, width=1 << 20))
        written.append(str(copy))
    return written


def runs() -> dict[str, list[Scenario]]:
    """Scenarios evaluated together: those with a shop share one run over the same span, the others run alone."""
    grouped: dict[str, list[Scenario]] = defaultdict(list)
    for scenario in SCENARIOS:
        grouped["shops" if scenario.shop else scenario.name].append(scenario)
    return dict(grouped)


def promtool_tests(scenarios: list[Scenario], alerts: list[str], rules: list[str]) -> dict[str, Any]:
    """One promtool test group: every scenario's series, and a check per window of each alert's behaviour."""
    first = scenarios[0]
    assert all((s.minutes, s.step) == (first.minutes, first.step) for s in scenarios), "one run, one span"
    series = background() if first.shop else {}
    expectations: list[dict[str, Any]] = []
    for scenario in scenarios:
        series |= scenario.series()
        expectations += [{"expr": expr, "eval_time": f"{minute}m", "exp_samples": [{"labels": "{}", "value": value}]}
                         for minute, expr, value in scenario.values]
        for alert in alerts:
            matchers = f'job="{scenario.shop}"' if scenario.shop and alert in SHOP_ALERTS else ""
            for check in checks(alert, behaviour(alert, scenario.name), scenario.step, scenario.minutes, matchers):
                if check not in expectations:
                    expectations.append(check)
    return {
        "rule_files": rules,
        "evaluation_interval": f"{first.step}m",
        "tests": [{
            "name": ", ".join(s.name for s in scenarios),
            "interval": f"{first.step}m",
            "input_series": [{"series": selector, "values": world.promtool_values(values)}
                             for selector, values in sorted(series.items())],
            "promql_expr_test": expectations,
        }],
    }
