"""`obsgen diff` on a renamed alert: one "renamed" entry saying what the new name does to the running system, and
two different alerts removed and added never taken for a rename."""

from __future__ import annotations

from pathlib import Path

from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.compare import compare_trees
from generator.analysis.diff.renames import Rename, find_renames
from generator.analysis.diff.render import markdown, text
from generator.build import build
from tests.edits import edit, set_cpu_high_threshold
from tests.gitops.helpers import ROOT, copy_definitions

RENAME = ('name="CpuHigh", plan_name="cpu_high"', 'name="HostCpuHigh", plan_name="cpu_high"')


def _diff(tmp_path: Path, *, threshold: float | None = None) -> tuple[str, str]:
    """The text and markdown reports of the shipped out/ (base) against a copy of definitions/ with CpuHigh renamed
    HostCpuHigh, and its threshold changed too when given."""
    definitions = copy_definitions(tmp_path)
    edit(definitions / "alerts.py", *RENAME)
    if threshold is not None:
        set_cpu_high_threshold(definitions, threshold)
    build(definitions, tmp_path / "out")
    report = compare_trees(OutTree(ROOT / "out"), OutTree(tmp_path / "out"), ("main", "head"))
    return text(report), markdown(report)


def _alerts(report: str) -> list[str]:
    """The entries of the text report's alerts section (without their fields and notes)."""
    section = report.split("\nalerts\n")[1].split("\n\n")[0]
    return [line.strip() for line in section.splitlines() if not line.startswith("      ")]


def test_a_renamed_alert_is_one_entry_with_what_the_rename_does(tmp_path: Path) -> None:
    # the old tree: ["- CpuHigh  (prometheus/rules/alerts.yml)", "- CpuHigh escalation level 1  (...)", ...,
    # "+ HostCpuHigh  (prometheus/rules/alerts.yml)", ...]: a removal and an addition, no word of what it does
    report, comment = _diff(tmp_path)
    assert _alerts(report) == ["renamed CpuHigh -> HostCpuHigh  (prometheus/rules/alerts.yml)"]
    entry = report.split("renamed CpuHigh -> HostCpuHigh")[1].split("\n\n")[0]
    runbook = "https://git.example.com/platform/observability/blob/main/out/docs/runbooks/"
    for said in (f"annotations.runbook_url: {runbook}CpuHigh.md -> {runbook}HostCpuHigh.md",
                 "-> its escalation copies (level 1, 2, 3) renamed with it",
                 '-> silences and `obsgen ack` acknowledgements on alertname="CpuHigh" stop matching',
                 "-> HostCpuHigh starts pending from zero at the deploy",
                 "pages again only after its for (5m), and its escalation starts over (level 1 after 15m again)",
                 "-> Prometheus stops sending CpuHigh: Alertmanager resolves its open alerts",
                 "a resolved notification on email-slack-webhook",
                 f"-> runbook links in notifications already sent ({runbook}CpuHigh.md) 404 after the merge: "
                 "docs/runbooks/CpuHigh.md is removed",
                 "-> dashboards listing or linking it by name: grafana/dashboards/Alerting/alerts-overview.json, "
                 "grafana/dashboards/Operations/operations.json",
                 # HostMetricsMissing's summary and the Operations CPU panel's description still say CpuHigh
                 "-> still naming CpuHigh after the rename: ", "grafana/dashboards/Operations/operations.json",
                 "prometheus/rules/alerts.yml"):
        assert said in entry, said
    assert "no longer notifies" not in entry and "now also notifies" not in entry  # the same receivers
    assert "- **renamed** `CpuHigh -> HostCpuHigh` in `prometheus/rules/alerts.yml`" in comment


def test_a_renamed_alert_with_another_expression_is_a_removal_and_an_addition(tmp_path: Path) -> None:
    report, _ = _diff(tmp_path, threshold=85)
    assert _alerts(report) == [
        "- CpuHigh  (prometheus/rules/alerts.yml)",
        *(f"- CpuHigh escalation level {level}  (prometheus/rules/escalation-default-alerts.yml)" for level in "123"),
        "+ HostCpuHigh  (prometheus/rules/alerts.yml)",
        *(f"+ HostCpuHigh escalation level {level}  (prometheus/rules/escalation-default-alerts.yml)"
          for level in "123")]
    assert "renamed" not in report


def _rule(expr: str, **labels: str) -> tuple[str, dict[str, str]]:
    return "prometheus/rules/alerts.yml", {"expr": expr, **{f"labels.{k}": v for k, v in labels.items()}}


def test_a_rename_needs_one_removed_and_one_added_alert_of_the_same_expression_and_labels() -> None:
    same = _rule("up == 0", severity="critical")
    assert find_renames({"Down": same}, {"TargetDown": same}) == [Rename("Down", "TargetDown")]
    # two removed alerts that could each be the added one: no guess, both stay removals
    assert find_renames({"Down": same, "Gone": same}, {"TargetDown": same}) == []
    # other labels, and no plan_name saying it is the same alert
    assert find_renames({"Down": same}, {"TargetDown": _rule("up == 0", severity="warning")}) == []
    # the same plan_name: the same alert whose severity changed with its name
    planned = {**same[1], "annotations.plan_name": "target_down"}
    warning = {**planned, "labels.severity": "warning"}
    assert find_renames({"Down": (same[0], planned)}, {"TargetDown": (same[0], warning)}) == [
        Rename("Down", "TargetDown")]


def test_a_renamed_log_alert_says_lokis_ruler_keeps_and_sends_it(tmp_path: Path) -> None:
    # the old tree: "(Prometheus keeps an alert's state by its name)", "-> Prometheus stops sending ApiErrorLogsHigh"
    # of an alert Loki's ruler evaluates and sends
    definitions = copy_definitions(tmp_path)
    edit(definitions / "logs.py", 'name="ApiErrorLogsHigh",', 'name="ApiErrorLogLinesHigh",')
    edit(definitions / "logs.py", '**{"for": "5m"},', '**{"for": "10m"},')  # a rename that changes for too
    build(definitions, tmp_path / "out")
    report = text(compare_trees(OutTree(ROOT / "out"), OutTree(tmp_path / "out"), ("main", "head")))
    assert _alerts(report) == ["renamed ApiErrorLogsHigh -> ApiErrorLogLinesHigh  (loki/rules/fake/log-alerts.yaml)"]
    entry = report.split("renamed ApiErrorLogsHigh -> ApiErrorLogLinesHigh")[1].split("\n\n")[0]
    for said in ("for: 5m -> 10m", "(Loki's ruler keeps an alert's state by its name)",
                 "pages again only after its for (10m)", "-> Loki's ruler stops sending ApiErrorLogsHigh"):
        assert said in entry, said
    assert "Prometheus" not in entry
