"""A rule test file of a long history at its own interval, of fewer alerts than their group holds, loads a cut of the
rule files: those alerts and the recording rules they read, transitively, each as the shipped files write it.
promtool evaluates every loaded rule at every step: the group's other alerts and unread recording rules would only
cost time (RevenueDrop's week at 4 minutes paid ~10x for them)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import yaml

from generator.build import build
from generator.core.promql import metric_names
from generator.model.project import Project
from generator.targets.prometheus import rule_groups
from generator.targets.rule_test_cuts import cut, cut_groups, reads_unnamed
from tests.edits import edit
from tests.unit.test_rule_test_loading import DEFINITIONS

OUT = Path(__file__).resolve().parents[2] / "out"

LONG_EXAMPLE = '''
QUEUE_DOUBLED = RecordingRule(name="job:queue_depth:doubled", group="doubled", expr="2 * job:queue_depth:max")
QUEUE_DEEP = Alert(
    name="QueueDeep", expr="job:queue_depth:doubled > 200", **{"for": "30m"}, severity="warning",
    summary="{{ $labels.job }} queues", description="Over 100 jobs queued.", runbook="Add workers.",
    examples=(Example(name="a deep queue for hours fires", at="4h", fires=True, labels={"job": "w"}, interval="10m",
                      series={'queue_depth{job="w"}': "150x30"}),),
)
'''
"""test_rule_test_loading's project (ErrorsHigh reading ratios, reading rates; queues read by nothing) and an alert
of its group with a 10m example reading queues through one more group."""


def _built(tmp_path: Path) -> Path:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "__init__.py").write_text("")
    (definitions / "project.py").write_text(textwrap.dedent(DEFINITIONS).lstrip("\n") + LONG_EXAMPLE)
    build(definitions, tmp_path / "out")
    return tmp_path / "out/prometheus"


def _promtool_test(prometheus: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", "test", "rules", test_file], cwd=prometheus, capture_output=True, text=True,
                          timeout=60)


def _rules(path: Path) -> dict[str, list[str]]:
    return {group["name"]: [rule.get("alert") or rule["record"] for rule in group["rules"]]
            for group in yaml.safe_load(path.read_text())["groups"]}


def test_a_long_example_loads_its_alert_and_the_recording_rules_it_reads_alone(tmp_path: Path) -> None:
    prometheus = _built(tmp_path)
    test = yaml.safe_load((prometheus / "tests/alerts-every-10m.yml").read_text())
    assert test["rule_files"] == ["rules/alerts-every-10m.yml"]
    assert test["group_eval_order"] == ["queues", "doubled", "alerts"]
    # each kept group keeps its name (group_eval_order orders it); ErrorsHigh and the groups it reads left out
    assert _rules(prometheus / "tests/rules/alerts-every-10m.yml") == {
        "alerts": ["QueueDeep"], "doubled": ["job:queue_depth:doubled"], "queues": ["job:queue_depth:max"]}
    shipped = {rule["alert"]: rule for rule in yaml.safe_load((prometheus / "rules/alerts.yml").read_text())[
        "groups"][0]["rules"]}
    cut = yaml.safe_load((prometheus / "tests/rules/alerts-every-10m.yml").read_text())
    assert [group["rules"] for group in cut["groups"] if group["name"] == "alerts"] == [[shipped["QueueDeep"]]]
    passed = _promtool_test(prometheus, "tests/alerts-every-10m.yml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # the 1m examples (ErrorsHigh's, few steps) load the shipped files of the group and all it reads, which they
    # also prove
    assert yaml.safe_load((prometheus / "tests/alerts.yml").read_text())["rule_files"] == [
        f"../rules/{name}.yml" for name in ("alerts", "doubled", "queues", "rates", "ratios")]
    assert not (prometheus / "tests/rules/alerts.yml").exists()


def test_a_cut_is_written_from_the_definitions_so_a_broken_recording_rule_fails_the_long_example(
        tmp_path: Path) -> None:
    prometheus = _built(tmp_path)
    definitions = tmp_path / "definitions/project.py"
    edit(definitions, 'expr="2 * job:queue_depth:max"', 'expr="job:queue_depth:max"')  # 150 never exceeds 200
    build(tmp_path / "definitions", tmp_path / "out")
    failed = _promtool_test(prometheus, "tests/alerts-every-10m.yml")
    assert failed.returncode == 1
    assert "alertname: QueueDeep, time: 4h" in failed.stdout + failed.stderr


def test_each_shipped_cut_holds_the_shipped_entries_of_its_alerts_and_what_they_read() -> None:
    """Recomputed from out/ alone: a cut's rules are entries of prometheus/rules/ (equal, in the same order within
    their group), its alerts those its file tests, and its recording rules those they read, transitively."""
    shipped = {group["name"]: group for path in (OUT / "prometheus/rules").glob("*.yml")
               for group in yaml.safe_load(path.read_text())["groups"]}
    expressions = {rule["record"]: rule["expr"] for group in shipped.values() for rule in group["rules"]
                   if "record" in rule}
    cuts = sorted((OUT / "prometheus/tests/rules").glob("*.yml"))
    for path in cuts:
        test = yaml.safe_load((path.parent.parent / path.name).read_text())
        assert test["rule_files"][0] == f"rules/{path.name}"
        tested = {check["alertname"] for case in test["tests"] for check in case["alert_rule_test"]}
        groups = yaml.safe_load(path.read_text())["groups"]
        for group in groups:
            whole = shipped[group["name"]]
            assert {k: v for k, v in group.items() if k != "rules"} == {k: v for k, v in whole.items() if k != "rules"}
            assert group["rules"] == [rule for rule in whole["rules"] if rule in group["rules"]], path.name
        alerts = [rule for group in groups for rule in group["rules"] if "alert" in rule]
        assert {rule["alert"] for rule in alerts} == tested, path.name
        recorded, todo = set(), [rule["expr"] for rule in alerts]
        while todo:
            for name in metric_names(todo.pop()):
                if name in expressions and name not in recorded:
                    recorded.add(name)
                    todo.append(expressions[name])
        assert {rule["record"] for group in groups for rule in group["rules"] if "record" in rule} == recorded
    assert "alerts-every-4m.yml" in {path.name for path in cuts}


def test_no_cut_where_the_alert_reads_what_an_imported_rule_set_records(project: Project) -> None:
    """What an imported group reads is not followed: the test loads the whole files (and the rule sets) instead."""
    groups = rule_groups(project)
    loaded = ["alerts", "recording"]
    document = cut(project, groups, loaded, {"RevenueDrop"}, imported=set())
    assert document is not None and cut_groups(document) == ["alerts", "recording"]
    assert cut(project, groups, loaded, {"RevenueDrop"}, imported={"job:revenue:increase1h_offset1w"}) is None
    # nothing dropped, nothing to cut
    every = {rule["alert"] for rule in groups["alerts"]["groups"][0]["rules"]}
    assert cut(project, groups, ["alerts"], every, imported=set()) is None


UNNAMED_EXAMPLE = LONG_EXAMPLE.replace('expr="job:queue_depth:doubled > 200"',
                                       '''expr='{__name__=~"job:queue_depth:doubled"} > 200\'''')


def test_an_alert_selecting_series_by_no_fixed_name_loads_every_recording_group(tmp_path: Path) -> None:
    """{__name__=~"job:queue_depth:doubled"} reads a recorded series no name follows to its rule: no cut, and the
    test loads every recording group (a cut of QueueDeep alone read nothing: 'exp: [...] got:[]', and an example
    saying it stays quiet at 150 queued would have passed, where the shipped files fire it)."""
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "__init__.py").write_text("")
    (definitions / "project.py").write_text(textwrap.dedent(DEFINITIONS).lstrip("\n") + UNNAMED_EXAMPLE)
    build(definitions, tmp_path / "out")
    prometheus = tmp_path / "out/prometheus"
    assert "__name__" in UNNAMED_EXAMPLE
    assert not (prometheus / "tests/rules").exists()
    test = yaml.safe_load((prometheus / "tests/alerts-every-10m.yml").read_text())
    assert test["rule_files"] == [f"../rules/{name}.yml" for name in ("alerts", "doubled", "queues", "rates", "ratios")]
    passed = _promtool_test(prometheus, "tests/alerts-every-10m.yml")
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_a_selector_by_no_fixed_name_reads_any_rule() -> None:
    assert reads_unnamed('{__name__=~"job:.*"} > 0') and reads_unnamed('{__name__!="up", job="a"} > 0')
    assert not reads_unnamed('{__name__="up"} == 0 or absent(job:x:rate5m)')
