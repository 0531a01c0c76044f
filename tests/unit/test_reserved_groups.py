"""A definition's rule group may not take a name obsgen generates (conventions.GROUP_FORMS): it would be merged into
the generated group (one file, one evaluation, its promtool tests). Refused at the definition's `group=` line, through
`obsgen build` on a temporary project, with out/ left as it was; names obsgen does not generate stay the user's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from generator.load.reserved import generated_groups
from generator.model import Alert, LogRecordingRule, RecordingRule, conventions
from generator.model.project import Project
from generator.targets import prometheus, rulesets

BASE = Path(__file__).resolve().parents[1] / "checks" / "base"
OUT = Path(__file__).resolve().parents[2] / "out"

GENERATING = '''from generator.model import (AggregationPolicy, Alert, ImportedAlert, LatencySLI, Metric, MetricType,
                             RecordingRule, RuleGroup, RuleSet, ScrapeJob, SLO, Source)
from ._alert import VALID
latency = Metric(name="req_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION, help="h",
                 buckets=(0.1, 0.25, 1))
queue = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="g")
API = ScrapeJob(name="api", source=Source.APPLICATION, targets=("localhost:8000",))
SLOW = SLO(service="api", name="latency", objective=99, description="fast",
           sli=LatencySLI(histogram=latency, threshold=0.25))
PLAN = AggregationPolicy(name="plan", metrics=(queue,), windows=("5m", "1h"), functions=("avg",))
MIXIN = RuleSet(name="mixin", groups=(RuleGroup(name="g", rules=(
    ImportedAlert(name="LoadVeryHigh", expr="node_load1 > 10", labels={"severity": "warning"}),)),))
HOSTS = Alert(**VALID | {"group": "hosts", "escalation": "default"})
'''
"""A project generating a group of each form (line 13 is the last): an SLO's, an aggregation policy's windows',
a rule set's file, an escalation policy's copies of the alert group hosts."""
LINE = GENERATING.count("\n") + 1
"""The line of a case's first statement."""
RULE = 'RecordingRule(name="job:x:rate5m", expr="sum by (job) (rate(requests_total[5m]))",\n    group={!r})'
ALERT = 'Alert(**VALID | {{"name": "Mine"}},\n    group={!r})'
"""A case: a recording rule or an alert whose group (on the case's second line) is the name given."""


def _write(root: Path, case: str) -> None:
    definitions = root / "definitions"
    if not definitions.exists():
        shutil.copytree(BASE, definitions, ignore=shutil.ignore_patterns("__pycache__"))
    (definitions / "case.py").write_text(GENERATING + case + "\n")


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build"], cwd=root, capture_output=True, text=True,
                          timeout=120)


def _tree(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ of the generating project with no clash."""
    root = tmp_path_factory.mktemp("reserved")
    _write(root, "")
    done = _build(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "out"


@pytest.mark.parametrize(("case", "says"), [
    pytest.param(ALERT.format("slo-api-latency"), "is a name obsgen generates itself, slo-<SLO slug>: an SLO's "
                 "recording rules and alerts (SLO api latency)", id="an SLO's group, an alert"),
    pytest.param(RULE.format("slo-api-latency"), "slo-<SLO slug>: ", id="an SLO's group, a recording rule"),
    pytest.param(ALERT.format("slo-api-latency-absent"), "slo-<SLO slug>-...: the promtool tests of slo-api-latency "
                 "(SLO api latency) are named so", id="an SLO's test file"),
    pytest.param(ALERT.format("slo-api-latency-every-30m"), "slo-<SLO slug>-...", id="an SLO's test file by interval"),
    pytest.param(RULE.format("aggregation-plan-1h"), "aggregation-<policy>-<window>: an aggregation policy's "
                 "recording rules over one window (AggregationPolicy plan, window 1h)", id="an aggregation group"),
    pytest.param(ALERT.format("ruleset-mixin"), "ruleset-<rule set>: an imported rule set's groups, as in the source "
                 "(RuleSet mixin)", id="a rule set's file"),
    pytest.param(ALERT.format("escalation-default-hosts"), "starts with 'escalation-', which names obsgen's rule "
                 "groups escalation-<policy>-<alert group>", id="an escalation group"),
    pytest.param(RULE.format("escalation-anything"), "starts with 'escalation-'", id="any escalation- name"),
])
def test_a_group_named_as_obsgen_names_its_own_is_refused_at_its_line_and_out_is_untouched(
        tmp_path: Path, built: Path, case: str, says: str) -> None:
    shutil.copytree(built, tmp_path / "out")
    _write(tmp_path, f"CASE = {case}")

    done = _build(tmp_path)

    printed = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in printed
    errors = [line for line in printed.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, printed
    assert errors[0].startswith(f"error: definitions/case.py:{LINE + 1}: ") and errors[0].endswith("[LD002]")
    assert f"{'Alert' if case.startswith('Alert') else 'RecordingRule'}: group: group '" in errors[0]
    assert says in errors[0]
    assert _tree(tmp_path / "out") == _tree(built)


@pytest.mark.parametrize("group", ["../../outside", "sub/dir", ""])
def test_a_recording_rule_group_that_is_no_file_name_is_refused_at_its_line(tmp_path: Path, group: str) -> None:
    _write(tmp_path, f"CASE = {RULE.format(group)}")

    done = _build(tmp_path)

    printed = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in printed
    assert f"error: definitions/case.py:{LINE + 1}: RecordingRule: group: {group!r} names a file under out/" in printed
    assert not (tmp_path / "out").exists() and not (tmp_path / "outside.yml").exists()


def test_log_recording_groups_are_file_names_too() -> None:
    with pytest.raises(ValidationError, match="names a file under out/"):
        LogRecordingRule(name="job:log_errors:rate5m", expr='rate({job="a"}[5m])', group="../rules")
    assert RecordingRule(name="job:x:rate5m", expr="x", group="a.b-c_d").group == "a.b-c_d"


def test_names_obsgen_does_not_generate_stay_the_definitions_and_get_no_aggregation_interval(tmp_path: Path) -> None:
    """slo-, aggregation- and ruleset- names of no SLO, policy or rule set of the project are the user's: a group
    named like an aggregation window is evaluated at the global interval, as any other definition's."""
    _write(tmp_path, "\n".join([
        f"A = {ALERT.format('slo-extras')}", f"B = {RULE.format('aggregation-mine-1d')}",
        f"C = {ALERT.format('ruleset-other').replace('Mine', 'Other')}",
        'D = RecordingRule(name="job:y:rate5m", expr="sum by (job) (rate(requests_total[5m]))", group="aggregation-x")',
    ]))

    done = _build(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    rules = tmp_path / "out/prometheus/rules"
    for name in ("slo-extras", "aggregation-mine-1d", "ruleset-other", "aggregation-x"):
        group, = yaml.safe_load((rules / f"{name}.yml").read_text())["groups"]
        assert group["name"] == name and "interval" not in group, group
    assert yaml.safe_load((rules / "aggregation-plan-1h.yml").read_text())["groups"][0]["interval"] == "1m"


def _defined(obj: object) -> bool:
    """Whether a definition was written in definitions/ (not derived by obsgen from another), as locate() tells."""
    site = getattr(obj, "site", None)
    return site is not None and site[0].co_filename == getattr(obj, "location").file  # noqa: B009


def test_every_rule_file_obsgen_writes_of_its_own_is_of_a_form_of_the_table(project: Project) -> None:
    """The refusal and the generators cannot drift: each shipped rule file that no definition names is refused by
    the table (with the project's generated names), and no definition's group is."""
    generated = generated_groups(project.objects)
    paths = [*prometheus.render(project), *rulesets.render(project)]
    written = {path.removeprefix(f"{conventions.RULES_DIR}/").removesuffix(".yml")
               for path in paths if path.startswith(conventions.RULES_DIR)}
    rules: list[Alert | RecordingRule] = [*project.alerts.values(), *project.recording_rules.values()]
    named = {obj.group for obj in rules if _defined(obj)}
    assert named and named < written
    assert {group for group in named if conventions.refused_group(group, generated)} == set()
    assert {group for group in written - named if not conventions.refused_group(group, generated)} == set()
