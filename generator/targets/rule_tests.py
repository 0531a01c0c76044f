"""promtool unit tests: one test group per alert example, plus escalation timing per policy (on one of its alerts)."""

from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from typing import Any

from generator.core.duration import format_seconds, parse_seconds
from generator.core.gotemplate import render as render_template
from generator.core.promql import metric_names
from generator.derive.examples import alert_labels, example_test_name, expected_alert, expected_value, fired_labels
from generator.derive.rulesets import Series, group_series, imported_series, rule_sets_for_tests
from generator.model import Alert, conventions
from generator.model.conventions import ESCALATION_POLICY_LABEL
from generator.model.project import Project
from generator.model.rulesets import RuleSet
from generator.targets.prometheus import alert_rule, escalation_copies, rule_groups
from generator.targets.rule_test_cuts import CUTS_DIR, cut, cut_groups, reads_unnamed

EVALUATION_INTERVAL = "1m"
_SPELLED = re.compile(r"-every-[0-9][0-9a-z]*\Z")
"""A name ending as a test file of another interval does: -every-, then what may be an interval."""


def file_stem_at(stem: str, interval: str) -> str:
    """The name of the promtool test file of a group's tests (or an escalation policy's) at one evaluation interval:
    the group's name at EVALUATION_INTERVAL, <group>-every-<interval> at another.

    A group whose own name reads as such a name (alerts-every-4m, beside a group alerts with 4m examples) has its
    interval spelled at EVALUATION_INTERVAL too (alerts-every-4m-every-1m): so no two (group, interval) share a file,
    which render would keep only the last of. An interval (a duration) holds no '-': the last -every- of a name
    parts it into its group and its interval, and an unspelled name never ends as a spelled one does.
    """
    return stem if interval == EVALUATION_INTERVAL and not _SPELLED.search(stem) else f"{stem}-every-{interval}"


def _groups_needed(project: Project, group: str) -> list[str]:
    """A group and those recording the series its rules read, transitively, by name; every recording group where
    one of them selects series by no fixed name ({__name__=~"job:.*"} may read any rule's)."""
    needed = {group}
    todo = [alert.condition for alert in project.alerts.values() if alert.group == group]
    todo += [rule.expr for rule in project.recording_rules.values() if rule.group == group]
    while todo:
        expr = todo.pop()
        if reads_unnamed(expr):
            return sorted(needed | {rule.group for rule in project.recording_rules.values()})
        for name in metric_names(expr):
            rule = project.recording_rules.get(name)
            if rule is not None and rule.group not in needed:
                needed.add(rule.group)
                todo.append(rule.expr)
    return sorted(needed)


def _eval_order(project: Project, needed: list[str], rule_sets: list[RuleSet]) -> list[str]:
    """The names of the groups a test loads (obsgen's `needed`, then the rule sets'), each after the groups
    recording what it reads (file order otherwise); empty when there is one name.

    Without it promtool evaluates the groups in a new random order each run, so an alert reading a recorded series
    sees this step's value or the previous one by chance, and a test near a boundary passes or fails by the run.
    promtool places groups by name alone (it refuses a name given twice): groups of one name, an obsgen group and
    an imported rule set's, take one place, after what any of them reads; between themselves no order holds.
    """
    own_reads, own_records = group_series(project)
    reads: Series = defaultdict(set, {name: set(own_reads.get(name, ())) for name in needed})
    records: Series = defaultdict(set, {name: set(own_records.get(name, ())) for name in needed})
    names = list(needed)
    for rule_set in rule_sets:
        for rule_group in rule_set.groups:
            names.append(rule_group.name)
            read, recorded = imported_series(rule_group)
            reads[rule_group.name] |= read
            records[rule_group.name] |= recorded
    names = list(dict.fromkeys(names))
    if len(names) < 2:
        return []
    order: list[str] = []
    while len(order) < len(names):
        waiting = [name for name in names if name not in order]
        recorded_later = {name: set().union(*(records[other] for other in waiting if other != name))
                          for name in waiting}
        # a cycle of groups reading each other has no right order: the first in file order goes on
        order.append(next((name for name in waiting if not reads[name] & recorded_later[name]), waiting[0]))
    return order


def _head(project: Project, files: list[str], groups: list[str], interval: str) -> dict[str, Any]:
    """What a test file loads (`files`, paths in out/, holding obsgen's `groups`, and the rule sets the tests
    need), how often and in which order."""
    rule_sets = rule_sets_for_tests(project)
    files = [*files, *(conventions.rule_set_file(rule_set.name) for rule_set in rule_sets)]
    order = _eval_order(project, groups, rule_sets)
    return {"rule_files": [os.path.relpath(path, conventions.RULE_TESTS_DIR) for path in files],
            "evaluation_interval": interval, **({"group_eval_order": order} if order else {})}


def promtool_file(project: Project, group: str, interval: str, also: str = "") -> dict[str, Any]:
    """The head of a promtool test file for a group's rules (and `also` another's): what it loads, how often and in
    which order.

    It loads the group's rule file and those recording the series its rules read, transitively, so a long history
    (a 7-day example) is not evaluated against every rule.
    """
    needed = sorted({*_groups_needed(project, group), *(_groups_needed(project, also) if also else ())})
    return _head(project, [conventions.rule_file(name) for name in needed], needed, interval)


def _examples_file(project: Project, groups: dict[str, dict[str, Any]], stem: str, group: str, interval: str,
                   tests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The test file of a group's alert examples at one interval; at another than EVALUATION_INTERVAL (a long
    history at its own spacing) with the cut of the rules it loads, when its alerts are fewer than the group's or
    read fewer recording rules than the files hold (rule_test_cuts). At EVALUATION_INTERVAL, where steps are few, it
    loads the shipped files: so `obsgen check` also runs what prometheus/rules/ holds, were it edited by hand."""
    path = f"{conventions.RULE_TESTS_DIR}/{file_stem_at(stem, interval)}.yml"
    alerts = {check["alertname"] for test in tests for check in test["alert_rule_test"]}
    imported = {record.name for rule_set in rule_sets_for_tests(project) for record in rule_set.records()}
    document = None if interval == EVALUATION_INTERVAL else cut(project, groups, _groups_needed(project, group),
                                                                 alerts, imported)
    if document is None:
        return {path: {**promtool_file(project, group, interval), "tests": one_run_per_simulation(tests)}}
    loaded = f"{CUTS_DIR}/{file_stem_at(stem, interval)}.yml"
    head = _head(project, [loaded], cut_groups(document), interval)
    return {loaded: document, path: {**head, "tests": one_run_per_simulation(tests)}}


def _server_settings(project: Project, rule: dict[str, Any]) -> dict[str, Any]:
    """A test group's external_labels and external_url, where the rule's templates read $externalLabels and
    $externalURL: the stack's, as Prometheus gives its alert templates those of its global config and its
    --web.external-url (promtool gives none unless told)."""
    texts = [*rule["annotations"].values(), *rule["labels"].values()]
    stack = project.stack
    labels = {"external_labels": dict(sorted(stack.external_labels.items()))}
    url = {"external_url": stack.prometheus_external_url}
    return {**(labels if any("$externalLabels" in text for text in texts) else {}),
            **(url if any("$externalURL" in text for text in texts) else {})}


def _alert_tests(project: Project, alert: Alert, rule: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(evaluation interval, test group) per example of an alert whose rule entry is `rule`: long histories are
    evaluated at their own spacing."""
    annotations = rule["annotations"]
    tests = []
    for example in alert.examples:
        expected = [expected_alert(project, alert, example, annotations)] if example.fires else []
        tests.append((example.interval, {
            "name": example_test_name(alert, example),
            "interval": example.interval,
            "input_series": [{"series": s, "values": v} for s, v in example.series.items()],
            "alert_rule_test": [{"eval_time": example.at, "alertname": alert.name, "exp_alerts": expected}],
            **_server_settings(project, rule),
        }))
    return tests


def _escalation_expectation(project: Project, copy: dict[str, Any], name: str, labels: dict[str, str],
                            value: float | None) -> dict[str, Any]:
    """A copy firing for the alert `name` that fired with `labels`. Its templates see its expression's result: the
    alert's ALERTS series less alertstate (alertname and every label of the alert, severity too), not the level
    the copy adds."""
    result = {"alertname": name, **labels}
    external, url = project.stack.external_labels, project.stack.prometheus_external_url
    return {
        "exp_labels": dict(sorted({**labels, **copy["labels"]}.items())),
        "exp_annotations": {k: render_template(v, result, value, external, url)
                            for k, v in sorted(copy["annotations"].items())},
    }


def _fired_labels(project: Project, alert: Alert) -> dict[str, str]:
    """The labels the alert fires with in its first firing example (its own test proves Prometheus writes them):
    what its ALERTS series carries, so an escalation test feeds a series the alert's expression can produce."""
    example = next((example for example in alert.examples if example.fires), None)
    return fired_labels(project, alert, example) if example else alert_labels(project, alert)


def _firing(name: str, labels: dict[str, str]) -> str:
    """The ALERTS series of an alert firing with `labels`, as its rule writes it (a promtool input series)."""
    return "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in {"alertname": name, "alertstate": "firing",
                                                             **labels}.items()) + "}"


def _valued_tests(project: Project, alert: Alert, rule: dict[str, Any], copies: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """The first firing and the first quiet example of an alert (of those at the escalation tests' interval)
    replayed once the alert has fired for its first level's delay: the firing one has level 1 fire saying the
    example's value, as the alert's own notification does; the quiet one (a quiet night, the series gone) has no
    level fire. (Every level's expression is the same but for its `for`: the timing tests climb them all. Every
    example meets the same copy expression: what the condition makes of each is the alert's own tests' business.)

    The example's series start that much later (`_` before); the alert's ALERTS series, fed, starts at the
    example's `at` (no sooner: level 2 would fire too). The alert's own group is loaded with its copies' (it may
    record what the alert reads), so the alert fires as in its example, beside them.
    """
    minutes = int(parse_seconds(copies[0]["for"]) // 60)
    tests = []
    replayed = [e for e in alert.examples if e.interval == EVALUATION_INTERVAL]
    for example in [e for e in replayed if e.fires][:1] + [e for e in replayed if not e.fires][:1]:
        at = minutes + int(parse_seconds(example.at) // 60)
        series = [{"series": s, "values": f"_x{minutes} {v}"} for s, v in example.series.items()]
        expected = []
        if example.fires:
            fired = expected_alert(project, alert, example, rule["annotations"])
            value = expected_value(alert, example)
            series.append({"series": _firing(alert.name, fired["exp_labels"]),
                           "values": f"_x{at - minutes} 1x{minutes}"})
            expected = [fired, _escalation_expectation(project, copies[0], alert.name, fired["exp_labels"], value)]
        tests.append({
            "name": f"escalation {rule['labels'][ESCALATION_POLICY_LABEL]} of {example_test_name(alert, example)}, "
                    f"{minutes} minutes on: {'level 1 says its value' if example.fires else 'no level fires'}",
            "interval": EVALUATION_INTERVAL, "input_series": series,
            "alert_rule_test": [{"eval_time": f"{at}m", "alertname": alert.name, "exp_alerts": expected}],
            **_server_settings(project, rule),
        })
    return tests


def _escalation_tests(project: Project, alert: Alert, rule: dict[str, Any], copies: list[dict[str, Any]]
                      ) -> list[dict[str, Any]]:
    """An alert firing for longer than the last level climbs every level, each no sooner than its delay; one
    resolved after the first level climbs no further. Fed its ALERTS series, as its own rule writes it, and
    nothing its condition reads: the copies fire on with no value to show (NaN)."""
    delays = [parse_seconds(copy["for"]) for copy in copies]
    labels = _fired_labels(project, alert)
    selector = _firing(alert.name, labels)
    fired = {"alertname": alert.name, **labels}
    expected = [(delay, _escalation_expectation(project, copy, alert.name, fired, math.nan))
                for delay, copy in zip(delays, copies, strict=True)]
    # a level fires at the first evaluation once the alert has fired for its delay
    checks = [{"eval_time": format_seconds(at), "alertname": alert.name,
               "exp_alerts": [copy for delay, copy in expected if delay <= at]}
              for level in delays for at in (level - 60, level + 120)]
    policy = rule["labels"][ESCALATION_POLICY_LABEL]
    tests = [{
        "name": f"escalation {policy} of {alert.name}: unresolved, it climbs every level on time",
        "interval": "1m",
        "input_series": [{"series": selector, "values": f"1x{int(delays[-1] // 60) + 10}"}],
        "alert_rule_test": checks,
        **_server_settings(project, rule),
    }]
    if len(copies) > 1:
        resolved_at = int(delays[0] // 60) + 5
        tests.append({
            "name": f"escalation {policy} of {alert.name}: resolved after level 1, it climbs no further",
            "interval": "1m",
            "input_series": [{"series": selector, "values": f"1x{resolved_at} stale"}],
            "alert_rule_test": [{"eval_time": format_seconds(delay + 120), "alertname": alert.name, "exp_alerts": []}
                                for delay in delays[1:]],
        })
    return tests


def one_run_per_simulation(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tests that promtool would simulate alike (the same interval, input series and server settings, in one file:
    the same rules in the same order) as one test holding the checks of each, its name theirs joined by "; ".

    promtool evaluates every rule from 0 to a test's last eval_time, once per test, and a check only reads the
    states that run went through: one run proves what each did, for the cost of the longest.
    """
    checks = ("alert_rule_test", "promql_expr_test")
    runs: dict[str, dict[str, Any]] = {}
    for test in tests:
        key = json.dumps({k: v for k, v in test.items() if k not in ("name", *checks)}, sort_keys=True)
        run = runs.get(key)
        if run is None:
            runs[key] = {**test, **{kind: list(test[kind]) for kind in checks if kind in test}}
            continue
        run["name"] += f"; {test['name']}"
        for kind in checks:
            if kind in test:
                run[kind] = run.get(kind, []) + test[kind]
    return list(runs.values())


def render(project: Project) -> dict[str, Any]:
    """A promtool test file per rule group and evaluation interval; per escalation policy, one of its levels'
    timing and one per escalation group (escalation-<policy>-<alert group>) of its alerts' values.

    Tests pin the definitions' real timings, so a profiled build (compressed time) has none.
    """
    if project.profile is not None:
        return {}
    # (file name, group whose rules it tests, another group it loads, interval)
    by_file: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    rules = {name: alert_rule(project, alert) for name, alert in project.alerts.items()}  # each rendered once
    for alert in project.alerts.values():
        for interval, test in _alert_tests(project, alert, rules[alert.name]):
            by_file[alert.group, alert.group, "", interval].append(test)
    examples = set(by_file)  # the files of alert examples (of no escalation policy, whose files come next)
    for policy in project.escalation_policies.values():
        climbing = [alert for alert in project.alerts.values() if project.escalation_of(alert) is policy]
        for number, alert in enumerate(climbing):
            rule = rules[alert.name]
            group = conventions.escalation_group(policy.name, alert.group)
            copies = [copy for _, copy in escalation_copies(project, alert, rule)]
            if number == 0:  # the timing of the levels, which every alert of the policy shares
                key = (conventions.ESCALATION_GROUPS.name(policy.name), group, "", EVALUATION_INTERVAL)
                by_file[key].extend(_escalation_tests(project, alert, rule, copies))
            # a file per escalation group: it loads the copies and recording rules of its own alerts only
            by_file[group, group, alert.group, EVALUATION_INTERVAL].extend(
                _valued_tests(project, alert, rule, copies))
    files = {}
    groups = rule_groups(project)
    for (stem, group, also, interval), tests in sorted(by_file.items()):
        if (stem, group, also, interval) in examples:
            files.update(_examples_file(project, groups, stem, group, interval, tests))
        elif tests:
            files[f"{conventions.RULE_TESTS_DIR}/{file_stem_at(stem, interval)}.yml"] = {
                **promtool_file(project, group, interval, also), "tests": one_run_per_simulation(tests)}
    return files
