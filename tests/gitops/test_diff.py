"""`obsgen diff`: two commits built from git and compared by meaning; the repository is never written."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from generator.analysis.diff.changes import Change, FieldChange, OutTree
from generator.analysis.diff.compare import DiffReport, compare_trees
from generator.analysis.diff.files import TouchedFiles
from generator.analysis.diff.render import markdown
from generator.build import build
from generator.importer.write import import_files
from tests.edits import CPU_HIGH, cpu_high, edit, set_cpu_high_threshold
from tests.gitops.diff_repo import commit_all, definitions_repo, git, obsgen_diff
from tests.gitops.helpers import FIXTURES, ROOT, copy_definitions


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A definitions repository as users keep one, with one commit on main."""
    return definitions_repo(tmp_path)


def _changes(output: str) -> list[str]:
    """The `  ~ name` lines of the text report, without the files section."""
    body = output.split("\nfiles\n")[0]
    return [line.strip() for line in body.splitlines() if line.startswith("  ") and not line.startswith("      ")]


def _warnings_to_slack(repo: Path) -> None:
    """The warning severity's notifications sent to Slack too: a route change."""
    edit(repo / "definitions/alerting.py", 'Severity(name="warning", channels=("email",)',
         'Severity(name="warning", channels=("email", "slack")')


def _two_commits_diff(repo: Path) -> subprocess.CompletedProcess[str]:
    """`obsgen diff HEAD~2 HEAD --exit-code`, which found differences."""
    result = obsgen_diff(repo, "HEAD~2", "HEAD", "--exit-code")
    assert result.returncode == 1, result.stderr
    return result


def test_a_threshold_and_a_route_change_are_named_exactly(repo: Path) -> None:
    set_cpu_high_threshold(repo / "definitions", 85)
    commit_all(repo, "page earlier on CPU")
    _warnings_to_slack(repo)
    commit_all(repo, "warnings to Slack too")
    result = _two_commits_diff(repo)
    # the alerts tables of the dashboards that show CpuHigh say its new condition
    assert _changes(result.stdout) == ["~ CpuHigh", '~ severity="warning"', "~ Alerts Overview / Alert Rules",
                                       "~ Operations / Alert Rules"]
    assert [line for line in result.stdout.splitlines() if line.startswith("        + | [CpuHigh]")
            and f"`{cpu_high(85)}`" in line]
    assert f"expr: {CPU_HIGH} -> {cpu_high(85)}" in result.stdout
    assert "receiver: email -> email-slack" in result.stdout
    assert "reaches: email oncall@company.com -> email oncall@company.com; slack #alerts, #ops" in result.stdout
    assert "  M prometheus/rules/alerts.yml" in result.stdout and "  M alertmanager/alertmanager.yml" in result.stdout


def test_a_threshold_a_route_and_a_panel_change_are_named_exactly(repo: Path) -> None:
    set_cpu_high_threshold(repo / "definitions", 85)
    _warnings_to_slack(repo)
    commit_all(repo, "page earlier on CPU, warnings to Slack")
    edit(repo / "definitions/dashboards_executive.py", 'thresholds=((0.5, "orange"), (1, "red"))',
         'thresholds=((0.4, "orange"), (1, "red"))')
    commit_all(repo, "latency turns orange earlier")
    result = _two_commits_diff(repo)
    assert _changes(result.stdout) == ["~ CpuHigh", '~ severity="warning"', "~ Alerts Overview / Alert Rules",
                                       "~ Executive / Latency p95", "~ Operations / Alert Rules"]
    assert "thresholds: green, orange from 0.5, red from 1 -> green, orange from 0.4, red from 1" in result.stdout


def test_markdown_is_ready_for_a_pull_request_comment(repo: Path) -> None:
    edit(repo / "definitions/alerts.py", '"for": "5m"}', '"for": "10m"}')
    result = obsgen_diff(repo, "HEAD", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert "### obsgen diff `HEAD (" in result.stdout and "→ `work tree`" in result.stdout
    assert "- **changed** `CpuHigh` in `prometheus/rules/alerts.yml`" in result.stdout
    assert "  | for | `5m` | `10m` |" in result.stdout
    assert "<details><summary>" in result.stdout


def test_no_change_exits_0_and_nothing_in_the_repository_is_written(repo: Path) -> None:
    before = git(repo, "status", "--porcelain", "--ignored")
    result = obsgen_diff(repo, "--exit-code")  # base: merge-base with main; head: the work tree
    assert result.returncode == 0, result.stderr
    assert "0 changes in 0 generated files" in result.stdout
    assert git(repo, "status", "--porcelain", "--ignored") == before
    assert not (repo / "out").exists()


def test_a_side_that_does_not_build_is_an_error_naming_it(repo: Path) -> None:
    edit(repo / "definitions/alerts.py", 'severity="warning", channels=("email",)', 'severity="warn"')
    result = obsgen_diff(repo, "HEAD", "--exit-code")
    assert result.returncode == 2
    assert "work tree does not build: error: definitions/alerts.py:" in result.stderr
    assert "unknown severity 'warn'" in result.stderr


def test_disabled_and_raised_imported_alerts_show_in_the_diff(repo: Path) -> None:
    import_files([FIXTURES / "kube-prometheus/nodeExporter-prometheusRule.yaml"], repo / "definitions")
    commit_all(repo, "vendor node-exporter mixin rules")
    (repo / "definitions/overrides.py").write_text(textwrap.dedent("""
        from generator.model import AlertOverride

        QUIET_CLOCK = AlertOverride(rule_set="node-exporter-rules", alert="NodeClockNotSynchronising", disable=True)
        MORE_ROOM = AlertOverride(rule_set="node-exporter-rules", alert="NodeFilesystemAlmostOutOfSpace",
                                  match_labels={"severity": "warning"}, threshold=10)
    """))
    commit_all(repo, "tune node-exporter alerts")
    result = obsgen_diff(repo, "HEAD~1", "HEAD")
    assert result.returncode == 0, result.stderr
    assert _changes(result.stdout) == [
        "- NodeClockNotSynchronising  (prometheus/rules/ruleset-node-exporter-rules.yml)",
        "~ NodeFilesystemAlmostOutOfSpace #1",
    ]
    assert "      expr: min_over_time(node_timex_sync_status{" in result.stdout  # a removed alert, shown whole
    assert '      expr: …mountpoint!=""} * 100 < [-5-]{+10+} and' in result.stdout  # only the change, marked


def test_each_ref_is_built_by_the_generator_it_carries(repo: Path) -> None:
    shutil.copytree(ROOT / "generator", repo / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    commit_all(repo, "vendor obsgen")
    edit(repo / "generator/package/emit.py", "Do not edit: change", "Do not edit by hand: change")
    commit_all(repo, "reword the generated header")
    result = obsgen_diff(repo, "HEAD~1", "HEAD")
    assert result.returncode == 0, result.stderr
    assert _changes(result.stdout) == []  # same meaning, every file with the header differs
    touched = int(re.search(r"0 changes in (\d+) generated files", result.stdout).group(1))  # type: ignore[union-attr]
    assert touched == result.stdout.count("\n  M ") and touched > 10
    assert "  M prometheus/rules/alerts.yml" in result.stdout


def test_a_channel_address_change_shows_the_receiver_and_whom_each_route_reaches(tmp_path: Path) -> None:
    base, head = copy_definitions(tmp_path / "base"), copy_definitions(tmp_path / "head")
    edit(head / "alerting.py", 'to=("oncall@company.com",)', 'to=("sre@company.com",)')
    for definitions in (base, head):
        build(definitions, definitions.parent / "out")
    report = compare_trees(OutTree(base.parent / "out"), OutTree(head.parent / "out"), ("base", "head"))
    receivers = [c for c in report.changes if c.section == "receivers"]
    assert [c.name for c in receivers] == ["email", "email-slack", "email-slack-webhook"]
    assert receivers[0].fields[0] == FieldChange("email_configs[0].to", "oncall@company.com", "sre@company.com")
    routes = {c.name for c in report.changes if c.section == "routes"}
    assert routes == {'severity="warning"', 'severity="critical"', 'severity="emergency"',
                      'alertname="CpuHigh", severity="critical"', 'alertname="DiskAlmostFull", severity="critical"'}


NEW_ALERT = '''

MEMORY_WARNING = Alert(
    name="MemoryWarning", metric=memory_usage, op=">", threshold=80, **{"for": "10m"},
    severity="warning", dashboard="Operations", escalation="default",
    summary="Memory on {{ $labels.instance }} above 80%", description="Less than 20% memory available.",
    runbook="Find the largest resident process before MemoryHigh pages.",
    examples=(Example(name="85% for 11 minutes fires", at="11m", fires=True, labels={"instance": "db-1"},
                      series={'instance:memory_usage:percent{instance="db-1"}': "85x15"}),),
)
'''


def test_an_added_alert_and_a_changed_query_show_in_full_with_pictures_before_and_after(repo: Path) -> None:
    (repo / "definitions/alerts.py").write_text((repo / "definitions/alerts.py").read_text() + NEW_ALERT)
    edit(repo / "definitions/dashboards_executive.py", 'f"sum({revenue_hourly_last_week.name})"',
         'f"max({revenue_hourly_last_week.name})"')
    commit_all(repo, "a memory warning; revenue against the busiest shop's same hour last week")
    images = repo.parent / "images"
    # no --prometheus, as users run it: obsgen starts a demo Prometheus holding only the series the changed
    # dashboards read (Executive's), not the session's one of every shipped dashboard's (33 s to fill)
    started = int(time.time())
    result = obsgen_diff(repo, "HEAD~1", "HEAD", "--format", "markdown", "--images", str(images))
    finished = time.time()
    assert result.returncode == 0, result.stderr
    added = result.stdout.split("- **added** `MemoryWarning`")[1].split("\n\n- ")[0]
    for row in ("| expr | `instance:memory_usage:percent > 80` |", "| for | `10m` |", "| severity | `warning` |",
                "| receivers | `email (email oncall@company.com; group_wait 10s",
                "| escalation | `level 1 after 15m: email_team_lead; level 2 after 30m: email_manager-slack_urgent",
                "| latency bound | `16m from a change to the notification (detect 10m45s + notify 5m15s: "
                "group_wait 10s or group_interval 5m, + peer 15s)"):
        assert row in added, row
    assert "  - query B: <code><del>sum</del><ins>max</ins>(job:revenue:increase1h_offset1w)</code>" in result.stdout
    # the reviewer reads that the pictures show demo history, not their systems', and up to when
    [drawn_until] = re.findall(r"\nData from demo history \(synthetic, made by obsgen in a temporary Prometheus: not "
                               r"your systems' data\); each dashboard over its own time range ending "
                               r"(\S+ \S+) UTC \(when drawn\)\.", result.stdout)
    assert started <= datetime.fromisoformat(drawn_until + "Z").timestamp() <= finished, drawn_until
    pictures = re.findall(r"!\[Executive (before|after)\]\((\S+\.png)\)", result.stdout)
    assert [side for side, _ in pictures] == ["before", "after"]
    for _, path in pictures:
        assert Path(path).read_bytes().startswith(b"\x89PNG") and Path(path).parent.parent.parent == images


def test_a_severity_change_shows_the_receivers_and_timings_it_gains_and_loses(repo: Path) -> None:
    edit(repo / "definitions/alerts.py", 'severity="critical", channels=("email", "slack"),',
         'severity="emergency",')
    result = obsgen_diff(repo, "HEAD")
    assert result.returncode == 0, result.stderr
    revenue = result.stdout.split("~ RevenueDrop")[1].split("\n\n")[0]
    assert "-> now also notifies email-slack-webhook: email oncall@company.com; slack #alerts, #ops; pagerduty " \
        in revenue
    assert "(group_wait 0s, group_interval 10s, repeat_interval 1h)" in revenue
    assert "-> no longer notifies email-slack: email oncall@company.com; slack #alerts, #ops" in revenue
    assert "latency bound: " in revenue and "group_wait 10s or group_interval 1m, + peer 15s) -> " in revenue
    assert "group_wait 0s or group_interval 10s, + peer 15s)" in revenue


def test_a_log_alerts_change_shows_as_an_alert_with_lokis_latency_bound(repo: Path) -> None:
    edit(repo / "definitions/logs.py", '[5m])) > 50",\n    **{"for": "5m"},', '[5m])) > 50",\n    **{"for": "10m"},')
    result = obsgen_diff(repo, "HEAD")
    assert result.returncode == 0, result.stderr
    assert _changes(result.stdout)[0] == "~ ApiErrorLogsHigh"
    logs = result.stdout.split("~ ApiErrorLogsHigh")[1].split("\n\n")[0]
    assert "for: 5m -> 10m" in logs
    # obsgen latency's figure: the collector's flush and a poll of the tailed file, the 5-minute range, Loki's
    # 1-minute evaluation, for, then group_interval and the pair's peer wait
    assert ("latency bound: 16m20s200ms from a change to the notification (detect 11m5s200ms + notify 5m15s: "
            "group_wait 10s or group_interval 5m, + peer 15s) -> 21m20s200ms" in logs)


def test_a_commit_holding_a_link_out_of_its_tree_is_one_error_line(repo: Path) -> None:
    (repo / "definitions" / "linked.json").symlink_to("../../../../../../etc/hostname")  # (or /etc/hostname)
    commit_all(repo, "a link out of the tree")
    result = obsgen_diff(repo, "HEAD~1", "HEAD")  # the old tree: a traceback (tarfile's FilterError)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: HEAD (") and "'definitions/linked.json' " in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_imported_alert_name_holding_backticks_stays_one_code_span_in_markdown() -> None:
    # Imported alert names are any text Prometheus loads (import52): one closing the code span could put markdown,
    # an image fetched from anywhere, into the pull-request comment
    name = "Odd` ![seen](https://tracker.example/pixel.png) `"
    where = "prometheus/rules/ruleset-odd.yml"
    report = DiffReport("main", "HEAD", (Change("alerts", "added", name, where),), TouchedFiles((where,), (), ()))
    html = MarkdownIt("commonmark").render(markdown(report))
    assert "<img" not in html and "<code>Odd` ![seen](https://tracker.example/pixel.png) `</code>" in html, html
