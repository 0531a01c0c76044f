from pathlib import Path
from typing import Any

from generator.build import build, compile_project
from generator.derive.time_compression import apply, with_objects
from generator.model import AlertingConfig, conventions
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import alertmanager, prometheus
from generator.targets.rule_tests import promtool_file
from tests.edits import CPU_HIGH


def _route(config: dict[str, Any], *matchers: str) -> dict[str, Any]:
    return next(r for r in config["route"]["routes"] if r["matchers"] == list(matchers))


def test_severity_routes_implement_cooldowns(project: Project) -> None:
    config = alertmanager.config(project)
    emergency = _route(config, 'severity="emergency"')
    assert (emergency["group_wait"], emergency["group_interval"]) == ("0s", "10s")
    assert emergency["receiver"] == "email-slack-webhook"
    warning = _route(config, 'severity="warning"')
    assert (warning["group_interval"], warning["receiver"]) == ("5m", "email")


def test_escalation_levels_route_before_alerts_and_severities(project: Project) -> None:
    routes = alertmanager.config(project)["route"]["routes"]
    levels = [n for n, r in enumerate(routes) if 'escalation_policy="default"' in r["matchers"]]
    assert [routes[n]["receiver"] for n in levels if len(routes[n]["matchers"]) == 2] == [
        "email_team_lead", "email_manager-slack_urgent", "email_director-webhook_pagerduty"]
    assert routes[levels[0]]["matchers"] == ['escalation_policy="default"', 'escalation_level="1"']
    others = [n for n, r in enumerate(routes) if any(m.startswith("severity=") for m in r["matchers"])
              and n not in levels]
    assert max(levels) < min(others)


def test_level_3_tells_alerts_that_paged_pagerduty_already_without_opening_a_second_incident(
        project: Project) -> None:
    """Emergencies and CpuHigh at critical page through the webhook channel (PagerDuty); Alertmanager's dedup_key
    differs per route, so level 3's PagerDuty would be another incident: they reach the director alone."""
    routes = alertmanager.config(project)["route"]["routes"]
    level3 = [r for r in routes if 'escalation_level="3"' in r["matchers"]]
    assert [(r["matchers"][2:], r["receiver"]) for r in level3] == [
        (['severity="emergency"'], "email_director"),
        (['alertname="CpuHigh"', 'severity="critical"'], "email_director"),
        (['alertname="DiskAlmostFull"', 'severity="critical"'], "email_director"),
        ([], "email_director-webhook_pagerduty")]


def test_escalation_routes_are_compressed_with_time_down_to_alertmanagers_floor(project: Project) -> None:
    timing = ("group_wait", "group_interval", "repeat_interval")
    level = _route(alertmanager.config(project), 'escalation_policy="default"', 'escalation_level="3"')
    assert tuple(level[key] for key in timing) == ("0s", "1m", "4h")
    # at 60x a level re-firing into its old group would wait a simulated hour, resolving before anyone is told
    live = _route(alertmanager.config(apply(project, Profile(time_scale=1 / 60))),
                  'escalation_policy="default"', 'escalation_level="3"')
    assert tuple(live[key] for key in timing) == ("0s", "10s", "4m")


def test_higher_severity_inhibits_lower_for_same_alert_and_instance(project: Project) -> None:
    rules = alertmanager.inhibit_rules(project)
    assert rules[2] == {"source_matchers": ['severity="emergency"'],
                        "target_matchers": ['severity=~"info|warning|critical"'],
                        "equal": ["alertname", "instance"]}
    checkout = ['service="checkout"', 'slo="availability"']  # then each SLO's: the 1h page mutes the 6h, ...
    assert {"source_matchers": [*checkout, 'window="1h"'], "target_matchers": [*checkout, 'window=~"6h"'],
            "equal": ["escalation_level"]} in rules
    assert {"source_matchers": [*checkout, 'window=~"1h|6h"'],  # ... and any page the tickets
            "target_matchers": [*checkout, 'window=~"1d|3d"']} in rules


def test_secrets_are_referenced_by_file_only(project: Project) -> None:
    text = "".join(v.decode() for v in compile_project(project).values())
    assert "api_url_file: /etc/alertmanager-secrets/slack/ops-urgent.url" in text
    assert "routing_key_file:" in text and "hooks.slack.com" not in text


def test_prometheus_config_scrapes_every_job_and_loads_rules(project: Project) -> None:
    config = prometheus.config(project)
    jobs = [job["job_name"] for job in config["scrape_configs"]]
    assert {"prometheus", "alertmanager", "node", "api", "obsgen-exporter"} <= set(jobs)
    assert len(jobs) == len(set(jobs))
    assert config["rule_files"] == ["rules/*.yml"]


def test_alert_rules_carry_severity_runbook_and_dashboard(project: Project) -> None:
    rule = prometheus.alert_rule(project, project.alerts["CpuHigh"])
    assert rule["expr"] == CPU_HIGH and rule["for"] == "5m"
    assert rule["labels"] == {"escalation_policy": "default", "severity": "critical"}
    assert rule["annotations"]["runbook_url"].endswith("/runbooks/CpuHigh.md")


def test_time_compressed_profile_scales_for_and_escalation(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    assert fast.alerts["CpuHigh"].for_ == "22s500ms"  # 5m / 60 under the floor: 20 s + 2.5 s
    assert [lvl.after for lvl in fast.escalation_policies["default"].levels] == ["15s", "30s", "1m"]
    assert project.alerts["CpuHigh"].for_ == "5m"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    definitions = Path(__file__).resolve().parents[2] / "definitions"
    build(definitions, tmp_path / "a")
    build(definitions, tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_promtool_tests_evaluate_a_recorded_series_before_the_alerts_that_read_it(project: Project) -> None:
    # alerts.yml comes first by name; CpuHigh reads instance:cpu_usage:percent from the recording group
    assert promtool_file(project, "alerts", "1m")["group_eval_order"] == ["recording", "alerts"]
    assert "group_eval_order" not in promtool_file(project, "recording", "1m")  # one group: nothing to order


def test_the_templates_say_whether_the_routes_group_a_log_alerts_service(project: Project) -> None:
    """The shipped routes group by service_name: the templates' comment said they do not."""
    def where_comment(project: Project) -> str:
        template = alertmanager.render(project)[conventions.alertmanager_template()]
        return " ".join(template.split("{{/* Where:", 1)[1].split("*/}}", 1)[0].split())

    assert "service_name" in project.alerting.group_by
    assert "the routes group by it, so it is one of the group's labels" in where_comment(project)
    ungrouped = with_objects(project, tuple(
        obj.model_copy(update={"group_by": tuple(label for label in obj.group_by if label != "service_name")})
        if isinstance(obj, AlertingConfig) else obj for obj in project.objects))
    assert "the routes do not group by it (NT004)" in where_comment(ungrouped)
