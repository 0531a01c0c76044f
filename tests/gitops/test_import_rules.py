"""`obsgen import` of real-world rule files: modules that build back to the same rules, promtool-clean."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, check_project, load
from generator.checks.tools import Command, run_all, tool_environment
from generator.core.errors import DefinitionError
from generator.core.promql import metric_names
from generator.importer.write import import_files, module_name
from generator.model import RuleSet
from generator.scaffold import create
from tests.gitops.helpers import (
    FIXTURES,
    KUBE_PROMETHEUS,
    PLAIN_RULE_FILES,
    copy_definitions,
    meaning,
    promtool_check_rules,
    source_groups,
)

SOURCES = KUBE_PROMETHEUS + PLAIN_RULE_FILES
EVERY_FIELD = FIXTURES / "verbatim/every-field.rules.yml"
SHIPPED_OUT = Path(__file__).resolve().parents[2] / "out"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped definitions plus every source imported, and the out/ they build."""
    root = tmp_path_factory.mktemp("import")
    definitions = copy_definitions(root)
    import_files(SOURCES, definitions)
    build(definitions, root / "out")
    return definitions, root / "out"


def _rebuilt(out: Path, source: Path) -> Path:
    name = yaml.safe_load(source.read_text()).get("metadata", {}).get("name") or module_name(source).replace("_", "-")
    return out / "prometheus/rules" / f"ruleset-{name}.yml"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_imported_rules_build_back_to_the_same_rules(imported: tuple[Path, Path], source: Path) -> None:
    rebuilt = yaml.safe_load(_rebuilt(imported[1], source).read_text())["groups"]
    assert meaning(rebuilt) == meaning(source_groups(source))


def test_import_counts_every_kube_prometheus_rule(imported: tuple[Path, Path]) -> None:
    rule_sets = load(imported[0]).all(RuleSet)
    kube = [rs for rs in rule_sets if rs.source in {path.name for path in KUBE_PROMETHEUS}]
    assert (len(kube), sum(len(rs.groups) for rs in kube)) == (8, 38)
    assert (sum(len(rs.alerts()) for rs in kube), sum(len(rs.records()) for rs in kube)) == (139, 95)


def _as_prometheus_reads(groups: list[Any]) -> list[Any]:
    """Groups with label and annotation values as the strings Prometheus reads (YAML's 1 is "1")."""
    def texts(mapping: dict[str, Any]) -> dict[str, str]:
        return {key: str(value) for key, value in mapping.items()}

    return [{**group, **({"labels": texts(group["labels"])} if "labels" in group else {}),
             "rules": [{**rule, **{key: texts(rule[key]) for key in ("labels", "annotations") if key in rule}}
                       for rule in group["rules"]]} for group in groups]


@pytest.mark.parametrize("source", [*PLAIN_RULE_FILES, EVERY_FIELD], ids=lambda p: p.name)
def test_every_field_of_a_rule_comes_back_as_written(tmp_path: Path, source: Path) -> None:
    # for: 0s, keep_firing_for, limit, query_offset, interval and labels: written back as they were, not only
    # equal in meaning (Debian's promtool 2.42 predates query_offset and group labels: built, not promtool-checked)
    create(tmp_path, "verbatim")
    import_files([source], tmp_path / "definitions")
    build(tmp_path / "definitions", tmp_path / "out")
    rebuilt = yaml.safe_load(_rebuilt(tmp_path / "out", source).read_text())["groups"]
    assert rebuilt == _as_prometheus_reads(source_groups(source))


def test_imported_modules_name_their_source_by_file_name_never_an_absolute_path(imported: tuple[Path, Path]) -> None:
    imported_rule_sets = [rs for rs in load(imported[0]).all(RuleSet) if rs.source]
    assert imported_rule_sets and all("/" not in rs.source for rs in imported_rule_sets)
    for module in imported[0].glob("*.py"):
        assert str(FIXTURES) not in module.read_text(), module.name  # the machine's path of the sources


def test_promtool_check_rules_passes_on_the_rebuilt_rules(imported: tuple[Path, Path]) -> None:
    rebuilt = [_rebuilt(imported[1], source) for source in SOURCES]
    result = promtool_check_rules(*rebuilt)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(SOURCES) - 1  # the one with a lint finding, below


def test_promtool_lint_finds_in_the_rebuilt_rules_what_it_finds_in_the_sources(
        imported: tuple[Path, Path], tmp_path: Path) -> None:
    flagged = []
    for source in SOURCES:
        plain = tmp_path / f"{source.stem}.yml"
        plain.write_text(yaml.safe_dump({"groups": source_groups(source)}))
        rebuilt = promtool_check_rules(_rebuilt(imported[1], source), fatal_lint=True).returncode
        assert rebuilt == promtool_check_rules(plain, fatal_lint=True).returncode, source
        flagged += [source.name] if rebuilt else []
    # Upstream's own file: four apiserver recording rules share name and labels, differing only by expr.
    assert flagged == ["kubernetesControlPlane-prometheusRule.yaml"]


def _reads_what_the_import_changed(out: Path) -> Callable[[Command], bool]:
    """Whether a check reads anything the import changed: every check but a rule test whose file and rule files are
    byte for byte the committed out/'s, and the routing tests while every file of alertmanager/ is
    (tests/e2e/test_check.py runs those, a minute of promtool and 85 amtool runs)."""
    def same(relative: Path) -> bool:
        return (out / relative).read_bytes() == (SHIPPED_OUT / relative).read_bytes() if (
            SHIPPED_OUT / relative).is_file() else False

    routes_read = all(same(path.relative_to(out)) for path in (out / "alertmanager").rglob("*") if path.is_file())

    def changed(command: Command) -> bool:
        if command.name.startswith("route: "):  # read alertmanager/ alone (tools.Command.reads)
            return not routes_read
        if not command.name.startswith("promtool test rules "):
            return True
        test = Path(command.argv[-1])
        loaded = yaml.safe_load((out / test).read_text()).get("rule_files", [])
        return not (same(test) and all(same(Path(os.path.normpath(test.parent / rules))) for rules in loaded))
    return changed


def test_obsgen_check_passes_on_the_project_with_every_rule_imported(imported: tuple[Path, Path]) -> None:
    results = run_all(imported[1], select=_reads_what_the_import_changed(imported[1]))
    assert [result.name + "\n" + result.output for result in results if not result.ok] == []
    assert {"promtool check config", "promtool check rules", "amtool check-config"} <= {r.name for r in results}


def test_an_alert_name_defined_twice_is_a_warning(imported: tuple[Path, Path]) -> None:
    warnings = [w.message for w in check_project(load(imported[0])).problems if "also defined at" in w.message]
    twins = {w.split(",")[0].removeprefix("rule set ") for w in warnings}
    # the meta-monitoring library follows kube-prometheus, so an import of it names the same alerts
    assert twins == {"kube-prometheus-rules has an alert TargetDown", "kube-prometheus-rules has an alert Watchdog",
                     *(f"prometheus-k8s-prometheus-rules has an alert {name}" for name in (
                         "PrometheusNotConnectedToAlertmanagers", "PrometheusTSDBReloadsFailing",
                         "PrometheusTSDBCompactionsFailing", "PrometheusRemoteStorageFailures",
                         "PrometheusRemoteWriteBehind", "PrometheusErrorSendingAlertsToSomeAlertmanagers",
                         "PrometheusNotificationQueueRunningFull")),
                     "alertmanager-main-rules has an alert AlertmanagerMembersInconsistent",
                     "grafana-rules has an alert GrafanaRequestsFailing"}
    tests = yaml.safe_load((imported[1] / "prometheus/tests/meta-monitoring.yml").read_text())
    assert not [f for f in tests["rule_files"] if "ruleset-" in f]  # their rules stay out of our tests


def test_rule_sets_an_alert_reads_are_loaded_by_its_tests_so_a_twin_alert_must_go(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    import_files([FIXTURES / "kube-prometheus/kubePrometheus-prometheusRule.yaml"], definitions, module="kp")
    (definitions / "down.py").write_text(
        "from generator.model import Alert, Example\n\n"
        "MANY_DOWN = Alert(name='ManyTargetsDown', expr='count:up0 > 1', severity='warning', summary='s',\n"
        "                  description='d', runbook='r', examples=(Example(name='two down', at='1m', fires=True,\n"
        "                  labels={'job': 'a'}, series={'up{job=\"a\",instance=\"1\"}': '0x5',\n"
        "                                               'up{job=\"a\",instance=\"2\"}': '0x5'}),))\n")
    with pytest.raises(DefinitionError, match=r"kp.py:\d+: rule set kube-prometheus-rules has an alert TargetDown, "
                                              r"also defined at .*meta_monitoring.py:\d+, and the Alert's tests load"):
        load(definitions)
    twins = ("TargetDown", "Watchdog")
    (definitions / "keep_ours.py").write_text(
        "from generator.model import AlertOverride\n\n"
        "THEIRS = [AlertOverride(rule_set='kube-prometheus-rules', alert=name, disable=True)\n"
        f"          for name in {twins!r}]\n")
    build(definitions, tmp_path / "out")
    tests = tmp_path / "out/prometheus/tests"
    loaded = "../rules/ruleset-kube-prometheus-rules.yml"
    assert loaded in yaml.safe_load((tests / "alerts.yml").read_text())["rule_files"]
    # meta-monitoring.yml loads their rule set too: its twins' groups fail while a twin is loaded (TargetDown fires
    # twice). Its other groups test alerts the rule set neither names nor records a series for, so they pass or fail
    # as on the committed out/, where tests/e2e/test_check.py runs them (14 s of promtool CPU here, not repeated)
    theirs, ours = (_rules(tests.parent / f"rules/{name}.yml") for name in ("ruleset-kube-prometheus-rules",
                                                                            "meta-monitoring"))
    assert not _names(theirs, "alert") & _names(ours, "alert")
    assert not _names(theirs, "record") & set().union(*(metric_names(rule["expr"]) for rule in ours))
    meta = yaml.safe_load((tests / "meta-monitoring.yml").read_text())
    meta["tests"] = [test for test in meta["tests"] if {case["alertname"] for case in test.get("alert_rule_test", ())}
                     & set(twins)]
    assert len(meta["tests"]) >= len(twins)
    (tests / "twins.yml").write_text(yaml.safe_dump(meta, sort_keys=False))
    result = subprocess.run(["promtool", "test", "rules", "alerts.yml", "twins.yml"], cwd=tests,
                            capture_output=True, text=True, timeout=120, env=tool_environment())
    assert result.returncode == 0, result.stdout + result.stderr


def _rules(rule_file: Path) -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(rule_file.read_text())["groups"] for rule in group["rules"]]


def _names(rules: list[dict[str, Any]], kind: str) -> set[str]:
    """The alerts (kind "alert") or the series recorded ("record") of rules."""
    return {rule[kind] for rule in rules if kind in rule}


def test_the_import_command_reports_what_it_wrote(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    result = subprocess.run([sys.executable, "-m", "generator", "import", "-d", str(definitions),
                             *map(str, PLAIN_RULE_FILES)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "obsgen import: 2 modules, 5 groups, 9 alerts, 4 recording rules" in result.stdout
    assert (definitions / "legacy_team_rules.py").exists() and (definitions / "blackbox_and_certs.py").exists()


def test_imported_modules_declare_the_series_nobody_else_defines(imported: tuple[Path, Path]) -> None:
    module = (imported[0] / "node_exporter_prometheus_rule.py").read_text()
    assert '"node_filesystem_readonly"' in module and "external_series=(" in module
    assert '"instance:node_num_cpu:sum"' not in module.split("external_series=(")[1]  # recorded by the set itself


def test_group_fields_obsgen_does_not_model_are_kept_verbatim(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    source = tmp_path / "thanos.yml"
    source.write_text("groups:\n- name: thanos\n  partial_response_strategy: warn\n  rules:\n"
                      "  - record: job:up:sum\n    expr: sum by (job) (up)\n")
    report = import_files([source], definitions)
    assert any("partial_response_strategy kept verbatim" in note for note in report.notes)
    build(definitions, tmp_path / "out")
    group = yaml.safe_load((tmp_path / "out/prometheus/rules/ruleset-thanos.yml").read_text())["groups"][0]
    assert group["partial_response_strategy"] == "warn"


def test_a_broken_rule_fails_the_import_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    source = tmp_path / "broken.yml"
    source.write_text("groups:\n- name: g\n  rules:\n  - alert: Broken\n    expr: rate(x[5m]\n")
    with pytest.raises(DefinitionError, match=r"broken.yml:5: cannot import: group g, rule 1: .*invalid PromQL"):
        import_files([source], definitions)
    assert not (definitions / "broken.py").exists()


def test_an_import_that_would_break_the_project_is_rolled_back(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    source = tmp_path / "clash.yml"
    source.write_text("groups:\n- name: g\n  rules:\n  - record: instance:cpu_usage:percent\n    expr: vector(1)\n")
    import_files([source], definitions)
    with pytest.raises(DefinitionError, match="duplicate rule set name 'clash'"):
        import_files([source], definitions, module="clash_again")
    assert not (definitions / "clash_again.py").exists()
