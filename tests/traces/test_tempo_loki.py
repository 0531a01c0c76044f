"""Tempo 2.10 and Loki 3.7 targets: valid configs, retention, ruler rules routed like every alert."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.checks.schemas import SchemaError
from generator.checks.schemas.loki import validate as validate_loki
from generator.checks.schemas.loki import validate_rules
from generator.checks.schemas.tempo import validate as validate_tempo
from generator.core.duration import parse_seconds
from generator.model import LogAlert
from generator.model.identity import receiver_name
from generator.model.project import Project
from tests.traces.conftest import read_yaml


def test_tempo_config_matches_the_reference(built: Path) -> None:
    document = read_yaml(built / "tempo/tempo.yaml")
    validate_tempo(document)
    assert document["compactor"]["compaction"]["block_retention"] == "336h"  # 14d, as a Go duration
    assert document["overrides"]["defaults"]["metrics_generator"]["processors"] == ["service-graphs", "span-metrics"]
    assert document["metrics_generator"]["storage"]["remote_write"][0]["url"].endswith("/api/v1/write")


def test_tempo_counts_spans_that_arrive_after_the_collectors_tail_sampling_wait(built: Path) -> None:
    """Tempo's metrics-generator drops spans that ended more than its slack before they arrive; kept spans
    wait in the collector for the decision and the batch after it, so the slack must outlast that."""
    collector = read_yaml(built / "otelcol/config.yaml")["processors"]
    held = parse_seconds(collector["tail_sampling"]["decision_wait"]) + parse_seconds(collector["batch"]["timeout"])
    sdk_delay_and_tick = 5 + 1
    generator = read_yaml(built / "tempo/tempo.yaml")["metrics_generator"]
    slack = parse_seconds(generator["metrics_ingestion_time_range_slack"])
    assert slack >= held + sdk_delay_and_tick + 30  # Tempo's default margin, kept beyond the collector's delay


@pytest.mark.parametrize(("path", "misspelt"), [
    (("compactor", "compaction"), "block_retension"),
    (("storage", "trace"), "backnd"),
    (("metrics_generator",), "registy"),
])
def test_tempo_rejects_a_misspelt_key(built: Path, path: tuple[str, ...], misspelt: str) -> None:
    document = read_yaml(built / "tempo/tempo.yaml")
    section = document
    for key in path:
        section = section[key]
    section[misspelt] = "1"
    with pytest.raises(SchemaError, match=misspelt):
        validate_tempo(document)


def test_tempo_rejects_a_day_duration_go_cannot_parse(built: Path) -> None:
    document = read_yaml(built / "tempo/tempo.yaml")
    document["compactor"]["compaction"]["block_retention"] = "14d"
    with pytest.raises(SchemaError, match="block_retention"):
        validate_tempo(document)


def test_loki_config_has_tsdb_v13_daily_index_and_per_stream_retention(built: Path) -> None:
    document = read_yaml(built / "loki/loki.yaml")
    validate_loki(document)
    period = document["schema_config"]["configs"][0]
    assert (period["store"], period["schema"], period["index"]["period"]) == ("tsdb", "v13", "24h")
    assert document["compactor"]["retention_enabled"] is True
    assert document["limits_config"]["retention_period"] == "720h"
    assert document["limits_config"]["retention_stream"] == [
        {"selector": '{service_name="api", env="production"}', "priority": 2, "period": "720h"},
        {"selector": '{service_name="rag-engine", env="production"}', "priority": 2, "period": "336h"},
    ]
    assert document["ruler"]["alertmanager_url"] == "http://alertmanager-1:9093,http://alertmanager-2:9093"


def test_a_log_alerts_source_link_opens_its_logql_in_grafana_explore(built: Path, project: Project) -> None:
    """Loki's ruler sends each alert with generatorURL = external_url + /explore?left={"queries":[{"expr": <LogQL>,
    "datasource": {"type": "loki", "uid": datasource_uid}}]} (pkg/ruler/base/ruler.go, grafanaLinkForExpression);
    without external_url that is a bare relative path no email client can open."""
    ruler = read_yaml(built / "loki/loki.yaml")["ruler"]
    provisioned = read_yaml(built / "grafana/provisioning/datasources/obsgen.yml")["datasources"]
    loki = next(source for source in provisioned if source["type"] == "loki")
    assert ruler["external_url"] == project.stack.grafana_url.rstrip("/")
    assert ruler["datasource_uid"] == loki["uid"]


def test_lokis_ruler_labels_its_alerts_with_the_stacks_external_labels(built: Path, project: Project) -> None:
    """Loki's ruler hands ruler.external_labels to Prometheus' notifier as global external_labels
    (pkg/ruler/base/manager.go, buildNotifierConfig), which adds each to every alert lacking it: without them a log
    alert reaches the shared Alertmanager without `platform`, grouped and acknowledged with every stack's."""
    document = read_yaml(built / "loki/loki.yaml")
    validate_loki(document)
    assert project.stack.external_labels == {"platform": "ecommerce-rag"}
    assert document["ruler"]["external_labels"] == project.stack.external_labels


@pytest.mark.parametrize(("section", "misspelt"), [
    ("limits_config", "retention_perod"), ("compactor", "retention_enable"), ("ruler", "alertmanager_ulr"),
])
def test_loki_rejects_a_misspelt_key(built: Path, section: str, misspelt: str) -> None:
    document = read_yaml(built / "loki/loki.yaml")
    document[section][misspelt] = "1"
    with pytest.raises(SchemaError, match=misspelt):
        validate_loki(document)


def test_loki_refuses_retention_without_a_delete_request_store(built: Path) -> None:
    document = read_yaml(built / "loki/loki.yaml")
    del document["compactor"]["delete_request_store"]
    with pytest.raises(SchemaError, match="delete_request_store"):
        validate_loki(document)


def test_ruler_rules_are_well_formed_logql(built: Path) -> None:
    files = sorted((built / "loki/rules/fake").glob("*.yaml"))
    assert [f.name for f in files] == ["log-alerts.yaml", "log-recording.yaml"]
    for file in files:
        validate_rules(read_yaml(file))
    broken = read_yaml(files[0])
    broken["groups"][0]["rules"][0]["expr"] = 'sum(count_over_time({service_name="api"} [5m]) > 1'
    with pytest.raises(SchemaError, match="unclosed"):
        validate_rules(broken)


def test_log_alerts_route_through_the_severity_and_escalation_routes(built: Path, project: Project) -> None:
    """amtool resolves each log alert's labels to the receiver of its severity, and each escalation level's copy
    (a critical log alert climbs the ladder like a Prometheus one) to its level's receiver."""
    if shutil.which("amtool") is None:
        pytest.skip("amtool not installed (make test installs it)")
    rules = read_yaml(built / "loki/rules/fake/log-alerts.yaml")["groups"][0]["rules"]
    assert {r["alert"] for r in rules} == {a.name for a in project.all(LogAlert)}
    levels = {}
    for rule in rules:
        severity = project.alerting.severity(rule["labels"]["severity"])
        assert severity is not None
        channels = severity.channels
        if "escalation_level" in rule["labels"]:
            policy = project.escalation_policies[rule["labels"]["escalation_policy"]]
            level = policy.levels[int(rule["labels"]["escalation_level"]) - 1]
            channels = level.channels
            alert = next(a for a in project.all(LogAlert) if a.name == rule["alert"])
            levels[rule["alert"], rule["labels"]["escalation_level"]] = rule["for"]
            assert parse_seconds(rule["for"]) == parse_seconds(alert.for_) + parse_seconds(level.after)
            assert rule["expr"] == alert.expr
        labels = [f"{k}={v}" for k, v in {"alertname": rule["alert"], **rule["labels"]}.items()]
        proc = subprocess.run(["amtool", "config", "routes", "test", "--config.file",
                               str(built / "alertmanager/alertmanager.yml"),
                               f"--verify.receivers={receiver_name(channels)}", *labels],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert levels == {("RagEngineTimeouts", "1"): "25m", ("RagEngineTimeouts", "2"): "40m",
                      ("RagEngineTimeouts", "3"): "1h10m"}


def test_loki_restores_every_log_alert_after_a_restart(built: Path) -> None:
    """Loki's ruler, like Prometheus, restores a pending or firing alert's `for` only if it is longer than its
    grace period (10m by default) and the outage shorter than its tolerance (1h): the shortest and the longest
    hold of the log alerts and their levels, so a restart neither resolves nor re-pages them."""
    ruler = read_yaml(built / "loki/loki.yaml")["ruler"]
    holds = [parse_seconds(r.get("for", "0s")) for r in
             read_yaml(built / "loki/rules/fake/log-alerts.yaml")["groups"][0]["rules"]]
    assert parse_seconds(ruler["for_grace_period"]) == min(holds) == 300
    assert parse_seconds(ruler["for_outage_tolerance"]) == max(holds) == 4200


def test_each_log_alert_has_its_runbook_page(built: Path) -> None:
    for rule in read_yaml(built / "loki/rules/fake/log-alerts.yaml")["groups"][0]["rules"]:
        page = (built / "docs/runbooks" / f"{rule['alert']}.md").read_text()
        assert rule["expr"] in page and rule["annotations"]["runbook_url"].endswith(f"/runbooks/{rule['alert']}.md")


def test_error_log_rules_count_every_level_loki_detects_at_error_or_above(built: Path) -> None:
    """Loki's detected_level is error, critical (Python's CRITICAL) or fatal (OTLP severities 21-24): a filter on
    `error` alone let a service flooding CRITICAL lines past ApiErrorLogsHigh and the error-rate rule."""
    searched = [re.search(r'detected_level\s*(=~?)\s*"([^"]*)"', rule["expr"])
                for file in ("log-alerts.yaml", "log-recording.yaml")
                for rule in read_yaml(built / f"loki/rules/fake/{file}")["groups"][0]["rules"]]
    filters = [found for found in searched if found is not None]
    assert len(filters) >= 2
    for found in filters:
        operator, value = found.groups()
        assert operator == "=~" and all(re.fullmatch(value, level) for level in ("error", "critical", "fatal"))
