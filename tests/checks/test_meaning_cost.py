"""The label-reading meaning checks (SM011, SM012, SM014) share one derivation a build: each node's labels and each
recording rule's are derived once for all of them, and the answers, so the findings, are those derived afresh.
What an expression's text alone decides (imported rules' labels and unmatched operations, alerts without a
condition, the labels a template prints) is kept across builds, and a damaged cache only costs time."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import promql_parser
import pytest

from generator.build import _checked, check_project
from generator.checks.base import Context
from generator.checks.registry import PROJECT_CHECKS
from generator.checks.semantics import annotation_numbers
from generator.core import promql
from generator.core.disk_cache import DiskCache
from generator.core.promql import parse, walk
from generator.core.sealed_file import read_sealed
from generator.derive import result_labels
from generator.derive.result_labels import Labels, _declared, _Possible, _Rules
from generator.importer.write import import_files
from generator.load.loader import load
from generator.model import Alert, RuleSet
from generator.model.project import Project
from tests.checks.test_cases import project_with
from tests.gitops.helpers import copy_definitions

KUBE_PROMETHEUS = Path(__file__).resolve().parents[1] / "gitops" / "fixtures" / "kube-prometheus"
LABEL_CHECKS = [check for check in PROJECT_CHECKS if check.CODE in ("SM011", "SM012", "SM014")]
MEANING = ("SM011", "SM012", "SM013", "SM014", "SM015")


@pytest.fixture(scope="module")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The shipped definitions with kube-prometheus' eight rule manifests imported (139 alerts, 95 records)."""
    definitions = copy_definitions(tmp_path_factory.mktemp("kube"))
    import_files(sorted(KUBE_PROMETHEUS.glob("*-prometheusRule.yaml")), definitions)
    project = load(definitions).project
    assert project is not None
    return project


def test_kube_prometheus_rules_give_the_five_template_findings(kube: Project) -> None:
    found = [(p.code, p.message.split(":")[0]) for p in check_project(kube).problems if p.code in MEANING]
    # the alertmanager mixin aggregates by (namespace, service) and prints $labels.job (rbo/sandbox#99)
    assert sorted(found) == [("SM011", f"rule set {rule_set}, alert {alert}") for rule_set, alert in [
        ("alertmanager-main-rules", "AlertmanagerClusterCrashlooping"),
        ("alertmanager-main-rules", "AlertmanagerClusterDown"),
        ("alertmanager-main-rules", "AlertmanagerClusterFailedToSendAlerts"),
        ("alertmanager-main-rules", "AlertmanagerClusterFailedToSendAlerts"),
        ("alertmanager-main-rules", "AlertmanagerConfigInconsistent")]]


def test_the_checks_derive_each_node_and_rule_once_a_build(kube: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    readers: list[Any] = []
    derived: Counter[tuple[int, int]] = Counter()
    made, derive = _Possible.__init__, _Rules.kept

    def counted_reader(self: Any, *args: Any) -> None:
        readers.append(self)
        made(self, *args)

    def counted(self: Any, node: Any) -> Labels:
        derived[(id(self), id(node))] += 1
        return derive(self, node)

    monkeypatch.setattr(_Possible, "__init__", counted_reader)
    monkeypatch.setattr(_Rules, "kept", counted)
    context = Context(kube)
    for check in LABEL_CHECKS:
        list(check.check(context))
    assert len(readers) <= 2  # one for obsgen's rules, one for imported ones
    assert derived and max(derived.values()) == 1, [n for n in derived.values() if n > 1][:5]


class _Afresh(_Possible):
    """The same answers without keeping any: every node and rule derived again each time it is asked."""

    def kept(self, node: Any) -> Labels:
        return _Rules.kept(self, node)

    def of_rule(self, name: str) -> Labels:
        return _Rules.of_rule(self, name)


def _every_node(project: Project) -> list[tuple[Any, bool]]:
    """Every node of every expression of the project, with whether it is obsgen's (deployed here)."""
    exprs = [(alert.condition, True) for alert in project.all(Alert)]
    exprs += [(rule.expr, True) for rule in project.recording_rules.values()]
    exprs += [(rule.expr, False) for rule_set in project.all(RuleSet) for group in rule_set.groups
              for rule in group.rules]
    return [(node, here) for expr, here in exprs for node in walk(parse(expr))]


def _same_answers(project: Project) -> None:
    nodes = _every_node(project)
    for order in (nodes, nodes[::-1]):
        kept = {here: _Possible(project, _declared(project, here)).kept for here in (True, False)}
        for node, here in order:
            assert kept[here](node) == _Afresh(project, _declared(project, here)).kept(node), str(node)


def test_kept_answers_are_those_derived_afresh(kube: Project) -> None:
    _same_answers(kube)


def test_kept_answers_through_rules_reading_each_other_are_those_derived_afresh(tmp_path: Path) -> None:
    # a loop is cut where the walk meets a rule again, so what is found inside depends on where it began
    definitions = project_with(tmp_path, {"loop.py": """
        from generator.model import Alert, RecordingRule
        from ._alert import VALID
        A = RecordingRule(name="job:a:sum", expr="sum by (job) (job:b:sum) or sum by (job, instance) (up)")
        B = RecordingRule(name="job:b:sum", expr="job:a:sum * on (instance) group_left job:c:sum")
        C = RecordingRule(name="job:c:sum", expr="sum without (job) (job:a:sum)")
        LOW = Alert(**VALID | {"name": "ALow", "expr": "job:b:sum < 0.5 * job:c:sum offset 1w"})
    """})
    project = load(definitions).project
    assert project is not None and len(project.recording_rules) >= 3
    _same_answers(project)
    assert result_labels.possible_labels(project, "job:c:sum") == _Afresh(project, _declared(project, True)).kept(
        parse("job:c:sum"))


@pytest.fixture()
def kube_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of the shipped definitions with kube-prometheus' rules imported; its caches written, as users'
    builds write them (bytecode on)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    definitions = copy_definitions(tmp_path)
    import_files(sorted(KUBE_PROMETHEUS.glob("*-prometheusRule.yaml")), definitions)
    return definitions


def _meaning_in_a_new_build(definitions: Path) -> list[tuple[str, str, str]]:
    promql.parse.cache_clear()  # what a new process starts with
    promql._facts.cache_clear()
    return sorted((p.code, str(p.location), p.message) for p in _checked(definitions).report.problems
                  if p.code in MEANING)


def test_a_build_after_an_edit_parses_no_imported_rule_again(kube_definitions: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first = _meaning_in_a_new_build(kube_definitions)
    assert [code for code, _, _ in first] == ["SM011"] * 5
    project = load(kube_definitions).project
    assert project is not None
    imported = {rule.expr for rule_set in project.all(RuleSet) for group in rule_set.groups for rule in group.rules}
    imported -= {alert.condition for alert in project.all(Alert)}  # (vector(1): obsgen's heartbeat reads it too)
    parsed: list[str] = []
    parse_text = promql_parser.parse

    def counted(expr: str) -> Any:
        parsed.append(expr)
        return parse_text(expr)

    monkeypatch.setattr(promql_parser, "parse", counted)
    assert _meaning_in_a_new_build(kube_definitions) == first
    assert len(imported) > 200 and [expr for expr in parsed if expr in imported] == []


def test_a_damaged_meaning_cache_is_computed_again(kube_definitions: Path) -> None:
    first = _meaning_in_a_new_build(kube_definitions)
    cache = kube_definitions / "__pycache__" / "obsgen-meaning.cache"
    stored = orjson.loads(read_sealed(cache) or b"{}")
    assert stored["entries"]
    damaged = DiskCache(kube_definitions, "meaning", stored["version"])
    for number, key in enumerate(stored["entries"]):  # valid JSON, not what this code writes
        damaged.put(key, [["op", "why", "more"]] if number % 3 == 0 else {"labels": []} if number % 3 else 7)
    damaged.save()
    assert _meaning_in_a_new_build(kube_definitions) == first


def test_kube_prometheus_alerts_words_say_their_rules(kube: Project) -> None:
    # prose55: its 31 alerts stating numbers (at least 5 restarts from `> 4`, less than 7.0 days from 604800, 0.05s,
    # the for of 15 minutes) each agree with their rule: SM006 has nothing to say about them
    assert [finding.message for finding in annotation_numbers.check(Context(kube))] == []
