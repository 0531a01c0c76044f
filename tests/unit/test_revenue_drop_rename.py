"""A scrape job renamed: RevenueDrop's baseline is last week's revenue of the job, by its `job` label, so for a week
the old name pages (its revenue read as 0) and the new one has nothing to compare with. Nothing in the rules can
tell a rename from a job gone; the runbooks of the pages that fire (RevenueDrop, and JobMissing until the
definitions follow) say what it is and what to do. The shipped rules, run by the real promtool."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.model.project import Project
from tests.servers import promtool_test

RULES = Path(__file__).resolve().parents[2] / "out" / "prometheus" / "rules"
READ = ("job:revenue:increase1h", "job:revenue:increase1h_offset1w", "RevenueDrop")
WEEK = 1008
"""Samples in a week, 10 minutes apart."""


def _series(job: str, before: str, after: str) -> list[dict[str, str]]:
    """One shop selling 6000/h, scraped as `job`: `before` and `after` the rename are its sample counts or gaps."""
    return [{"series": f'{name}{{job="{job}",{labels}}}', "values": f"{before} {after}"}
            for name, labels in (('revenue_total', 'product_category="books"'),
                                 ("sales_conversions_total", 'product_category="books",user_segment="new"'))] + [
        {"series": f'up{{job="{job}",instance="shop:8080"}}', "values": f"{before} {after}".replace("0+1000", "1")}]


def test_a_renamed_job_pages_revenue_drop_for_the_old_name_and_the_runbooks_say_what_it_is(
        project: Project, tmp_path: Path) -> None:
    shipped = [rule for file in ("recording.yml", "alerts.yml")
               for group in yaml.safe_load((RULES / file).read_text())["groups"] for rule in group["rules"]
               if rule.get("record", rule.get("alert")) in READ]
    drop = next(rule for rule in shipped if rule.get("alert") == "RevenueDrop")
    said = drop["annotations"] | {"summary": "Revenue of the last hour 0, below half of the same hour last week"}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": shipped}]}))
    # a week of the shop as job "shop", then the same shop, selling as much, scraped as job "store": nothing dropped
    series = [*_series("shop", f"0+1000x{WEEK}", "stale"), *_series("store", f"_x{WEEK}", "0+1000x30")]
    document = {"rule_files": ["rules.yml"], "evaluation_interval": "10m", "tests": [{
        "interval": "10m", "input_series": series,
        "alert_rule_test": [{"eval_time": "1w3h", "alertname": "RevenueDrop", "exp_alerts": [{"exp_labels": {
            "job": "shop", "severity": "critical", "escalation_policy": "default"}, "exp_annotations": said}]}]}]}
    ran = promtool_test(document, tmp_path / "test.yml")
    assert ran.returncode == 0, ran.stdout + ran.stderr  # the old name pages; the new one is not judged
    for name in ("RevenueDrop", "JobMissing"):
        assert "silence RevenueDrop of the old job for the week" in project.alerts[name].runbook, name
