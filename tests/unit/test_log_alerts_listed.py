"""A log alert (Loki's ruler) is listed and counted on the dashboard it opens, as a Prometheus alert is: Loki's ruler
remote-writes an ALERTS series for it to Prometheus, which the Alerts row's firing count reads (real promtool)."""

from __future__ import annotations

from pathlib import Path

from generator.derive.dashboards import FIRING_TITLE, RULES_TITLE, listed_alerts, sections
from generator.model import Dashboard
from generator.model.project import Project
from tests.servers import promtool_test


def test_a_log_alert_is_listed_and_counted_on_its_dashboard(project: Project, tmp_path: Path) -> None:
    operations = next(d for d in project.all(Dashboard) if d.name == "Operations")
    listed = {alert.name: alert for alert in listed_alerts(project, operations)}
    assert listed["ApiErrorLogsHigh"].counted and listed["ApiErrorLogsHigh"].opens
    assert "count_over_time(" in listed["ApiErrorLogsHigh"].condition
    overview = next(d for d in project.all(Dashboard) if d.lists_all_alerts)
    assert "RagEngineTimeouts" in {alert.name for alert in listed_alerts(project, overview)}
    panels = {panel.title: panel for section in sections(project, operations) for panel in section.panels}
    assert "[ApiErrorLogsHigh](" in panels[RULES_TITLE].content
    firing = 'ALERTS{{alertname="{}",alertstate="firing",severity="{}"}}'
    night = [{"series": firing.format("Watchdog", "info"), "values": "1x20"},
             {"series": firing.format("ApiErrorLogsHigh", "warning"), "values": "1x20"}]
    result = promtool_test({"tests": [{"interval": "1m", "input_series": night, "promql_expr_test": [
        {"expr": panels[FIRING_TITLE].queries[0].expr, "eval_time": "10m", "exp_samples": [{"value": 1}]}]}]},
        tmp_path / "log-alert-count.yml")
    assert result.returncode == 0, result.stdout + result.stderr
