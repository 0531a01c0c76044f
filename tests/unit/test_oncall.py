"""On-call semantics of the generated rules and routes: who climbs, what a silence covers, where a page goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from generator.analysis.latency import route_for
from generator.apply.silences import Matcher
from generator.cli.app import app
from generator.cli.live import stop_command
from generator.core.duration import parse_seconds
from generator.core.gotemplate import guard_absent_value, render
from generator.core.promql import metric_names
from generator.derive.dashboards import alert_panel, dashboard_url
from generator.derive.time_compression import apply
from generator.model import conventions
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import alertmanager, loki, prometheus
from tests.edits import CPU_HIGH


def _rules(project: Project, name: str) -> list[dict[str, Any]]:
    return [rule for document in prometheus.rule_groups(project).values() for group in document["groups"]
            for rule in group["rules"] if rule.get("alert") == name]


def test_escalation_copies_keep_the_alerts_name_and_labels_and_add_the_level(project: Project) -> None:
    own, *copies = _rules(project, "CpuHigh")
    assert own["labels"] == {"escalation_policy": "default", "severity": "critical"} and own["for"] == "5m"
    assert [(c["for"], c["labels"]) for c in copies] == [
        ("15m", {"escalation_level": "1"}), ("30m", {"escalation_level": "2"}), ("60m", {"escalation_level": "3"})]
    # the copy reads the alert's own firing series (not its copies) and keeps every label but alertstate, valued by
    # the alert's condition on the condition's own labels (NaN where a dip leaves it none)
    firing = 'max without (alertstate) (ALERTS{alertname="CpuHigh",alertstate="firing",escalation_level=""})'
    assert copies[0]["expr"] == (f"{firing} * ignoring (alertname, escalation_policy, severity) group_left () "
                                 f"({CPU_HIGH}) or {firing} * NaN")
    assert copies[0]["annotations"]["runbook_url"] == own["annotations"]["runbook_url"]
    assert copies[0]["annotations"]["description"].endswith(
        "Unresolved for 15m: escalation level 1 of policy default, telling email_team_lead.")


@pytest.mark.parametrize(("name", "field"), [("PrometheusRemoteWriteBehind", "summary"),
                                             ("PrometheusNotificationErrors", "summary"),
                                             ("CapacityExhaustedSoon", "description")])
def test_an_escalation_copy_keeps_the_text_of_an_annotation_that_shows_the_value(
        project: Project, name: str, field: str) -> None:
    """A copy's value is the alert's (its condition's): the text shows it as the alert's does, value included."""
    rules = _rules(project, name)
    [own] = [rule for rule in rules if "escalation_level" not in rule["labels"]]
    copies = [rule for rule in rules if rule is not own]
    assert "$value" in own["annotations"][field] and copies
    for copy in copies:
        assert copy["annotations"][field].startswith(guard_absent_value(own["annotations"][field]))
        labels = {"instance": "web-1", "forecast": "disk", "mountpoint": "/", "job": "node", "remote_name": "r"}
        assert render(copy["annotations"][field], labels, 3600.0).startswith(
            render(own["annotations"][field], labels, 3600.0))


def test_a_loki_escalation_copy_shows_the_value_it_evaluates_itself(project: Project) -> None:
    """Loki's copies hold the alert's own LogQL (its ruler cannot read ALERTS): their value is the alert's."""
    rules = [rule for document in loki.rule_files(project).values() for group in document["groups"]
             for rule in group["rules"] if rule.get("alert") == "RagEngineTimeouts"]
    own, *copies = rules
    assert "$value" in own["annotations"]["summary"] and len(copies) == 3
    assert all(copy["annotations"]["summary"] == own["annotations"]["summary"] for copy in copies)


def test_no_warning_or_info_alert_escalates_unless_its_definition_asks(project: Project) -> None:
    quiet = {"warning", "info"}
    for alert in project.alerts.values():
        if alert.severity in quiet and not alert.escalation:
            assert project.escalation_of(alert) is None, alert.name
            rules = _rules(project, alert.name)  # no escalation copy, and held only as long as it asks
            assert len(rules) == 1 and rules[0].get("keep_firing_for", "0s") == alert.keep_firing_for
    conversion = _rules(project, "ConversionRateLow")
    assert len(conversion) == 1 and "escalation_policy" not in conversion[0]["labels"]


def test_an_escalating_alert_keeps_firing_through_a_dip_shorter_than_the_flap_tolerance(project: Project) -> None:
    assert _rules(project, "CpuHigh")[0]["keep_firing_for"] == "5m"
    assert _rules(project, "MemoryHigh")[0]["keep_firing_for"] == "5m"


def test_a_silence_of_the_alert_matches_every_escalation_copy(project: Project) -> None:
    silence = [Matcher("alertname", "CpuHigh"), Matcher("instance", "web-1")]
    for level in ("", "1", "2", "3"):
        labels = {"alertname": "CpuHigh", "instance": "web-1", "severity": "critical",
                  conventions.ESCALATION_POLICY_LABEL: "default"} | ({"escalation_level": level} if level else {})
        assert all(labels.get(m.name) == m.value for m in silence)
        receiver = route_for(project, labels).receiver
        # CpuHigh pages PagerDuty through its own channels: level 3 tells the director without a second incident
        assert receiver == {"": "email-slack-webhook", "1": "email_team_lead", "2": "email_manager-slack_urgent",
                            "3": "email_director"}[level]


def test_the_demos_real_host_does_not_climb_unless_asked(project: Project) -> None:
    quiet = apply(project, Profile(time_scale=1 / 60, quiet_instances=("127.0.0.1:9100",)))
    copy = _rules(quiet, "CpuHigh")[1]
    # both of the copy's reads of the alert's firing series leave the demo host out
    assert copy["expr"].count('escalation_level="",instance!="127.0.0.1:9100"})') == 2 and copy["for"] == "15s"


def test_watchdog_has_its_own_route_at_once_and_every_5_minutes_at_most(project: Project) -> None:
    own = [r for r in alertmanager.config(project)["route"]["routes"] if 'alertname="Watchdog"' in r["matchers"]]
    assert [(r["receiver"], r["matchers"][1:]) for r in own] == [("deadman", ['platform="ecommerce-rag"']),
                                                                 ("null", [])]
    route = route_for(project, {"alertname": "Watchdog", "severity": "info", "platform": "ecommerce-rag"})
    assert route.receiver == "deadman"
    # another stack's Watchdog, sharing the Alertmanager, pings nothing (its pings would hide this stack's silence)
    assert route_for(project, {"alertname": "Watchdog", "severity": "info", "platform": "payments"}).receiver == "null"
    assert route.group_wait == "0s" and parse_seconds(route.repeat_interval) <= 300
    assert route_for(project, {"alertname": "Other", "severity": "info"}).receiver == "null"


def test_pagerduty_gets_events_v2_with_a_severity_it_accepts(project: Project) -> None:
    receivers = {r["name"]: r for r in alertmanager.config(project)["receivers"]}
    plan_webhook = receivers["email-slack-webhook"]
    assert "webhook_configs" not in plan_webhook, "no plain webhook posts to a PagerDuty URL"
    pagerduty = plan_webhook["pagerduty_configs"][0]
    assert pagerduty["routing_key_file"] == "/etc/alertmanager-secrets/pagerduty_token"
    assert pagerduty["severity"] == '{{ template "obsgen.pagerduty.severity" . }}'
    template = alertmanager.render(project)[conventions.alertmanager_template()]
    assert '{{ if eq $severity "emergency" }}critical' in template
    assert project.alerting.severity("emergency").pagerduty == "critical"  # type: ignore[union-attr]


def test_the_live_sink_gets_pagerduty_events_with_a_routing_key_read_from_a_file(project: Project) -> None:
    live = apply(project, Profile(sink_url="http://127.0.0.1:9", sink_routing_key_file="/state/routing-key"))
    pagerduty = {r["name"]: r for r in alertmanager.config(live)["receivers"]}["email-slack-webhook"]
    assert pagerduty["pagerduty_configs"][0]["url"] == "http://127.0.0.1:9/webhook/v2/enqueue"
    assert pagerduty["pagerduty_configs"][0]["routing_key_file"] == "/state/routing-key"
    assert "routing_key" not in pagerduty["pagerduty_configs"][0], "the secret scan refuses a key written out"


def test_each_slack_channel_has_its_own_incoming_webhook(project: Project) -> None:
    slack = [config for receiver in alertmanager.config(project)["receivers"]
             for config in receiver.get("slack_configs", [])]
    files = {config["channel"]: config["api_url_file"] for config in slack}
    assert files == {"#alerts": "/etc/alertmanager-secrets/slack/alerts.url",
                     "#ops": "/etc/alertmanager-secrets/slack/ops.url",
                     "#ops-urgent": "/etc/alertmanager-secrets/slack/ops-urgent.url"}


def test_every_shipped_alerts_dashboard_url_opens_a_panel_reading_its_series(project: Project) -> None:
    checked = 0
    for alert in project.alerts.values():
        reads = metric_names(alert.condition)
        if not alert.dashboard or not reads:
            continue
        found = alert_panel(project, alert, with_alert_list=False)
        assert found is not None, f"{alert.name}: no panel of {alert.dashboard} reads {sorted(reads)}"
        _, panel = found
        inputs = set().union(*(metric_names(project.recording_rules[n].expr) for n in reads
                               if n in project.recording_rules))
        panel_reads = set().union(*(metric_names(q.promql.replace("$__rate_interval", "5m")) for q in panel.queries))
        assert panel_reads & (reads | inputs), f"{alert.name}: {panel.title} reads {sorted(panel_reads)}"
        assert prometheus.alert_rule(project, alert)["annotations"]["dashboard_url"] == dashboard_url(project, alert)
        checked += 1
    print(f"\n{checked} alerts open a panel reading their series")
    assert checked >= 20


def test_an_ack_matcher_reads_as_amtool_writes_it() -> None:
    assert Matcher.parse("instance=web-1") == Matcher("instance", "web-1")
    assert Matcher.parse('job=~"node.*"') == Matcher("job", "node.*", regex=True)
    assert str(Matcher.parse("severity!=info")) == 'severity!="info"'
    with pytest.raises(ValueError, match="unescaped double quote"):  # a quote only opens and closes, as amtool's
        Matcher.parse('path=/a"b"')
    assert Matcher.parse(r" path = /a\"b\\c ").value == '/a"b\\c'  # unquoted: unescaped and trimmed, as amtool's
    assert Matcher.parse('path=""').value == ""
    assert Matcher.parse(r'path="a\"b\\c\nd\e"').value == 'a"b\\c\nd\\e'  # unescaped as Alertmanager's parser does
    assert str(Matcher("path", 'a"b\\c\nd')) == r'path="a\"b\\c\nd"'
    with pytest.raises(ValueError, match="bad matcher format: web-1: give LABEL=VALUE"):
        Matcher.parse("web-1")


def test_an_ack_matcher_shows_control_characters_escaped_and_filters_with_them_raw() -> None:
    """Shown (obsgen ack --list) as strconv.Quote writes them, for the eye; the API's filter has them raw, as 0.25's
    parser reads them. What obsgen ack reads is amtool's reading (tests/e2e/test_ack.py)."""
    value = "a\tb\r\x00\x1b\x7f\x85\u2028\u2029\\\"\n"
    assert str(Matcher("i", value)) == r'i="a\tb\r\x00\x1b\x7f\u0085\u2028\u2029\\\"\n"'
    assert Matcher("i", value).filter() == 'i="a\tb\r\x00\x1b\x7f\x85\u2028\u2029\\\\\\"\\n"'


def test_ack_without_an_alertmanager_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ALERTMANAGER_URL", raising=False)
    monkeypatch.delenv("OBSGEN_STATE_DIR", raising=False)
    result = CliRunner().invoke(app, ["ack", "CpuHigh", "instance=web-1"])
    assert result.exit_code == 1 and "give --alertmanager-url" in result.output


def test_up_says_the_exact_command_that_stops_it(tmp_path: Path) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text("up: $(STAMP)\n\t$(BIN)/obsgen up\ndown: $(STAMP)\n\t$(BIN)/obsgen down\n")
    assert stop_command(Path(".live"), makefile) == "`obsgen down` (or make down)"
    assert stop_command(Path("/tmp/my stack"), makefile) == ("`obsgen down --state-dir '/tmp/my stack'` "
                                                             "(or make down STATE_DIR='/tmp/my stack')")


def test_up_in_a_project_without_make_down_says_obsgen_down_alone(tmp_path: Path) -> None:
    """An `obsgen init` project has no Makefile: `make down` there is "No rule to make target 'down'"."""
    assert stop_command(Path(".live"), tmp_path / "Makefile") == "`obsgen down`"
    (tmp_path / "Makefile").write_text("build:\n\tobsgen build\n")  # a team's own, without the target
    assert stop_command(Path("/tmp/s"), tmp_path / "Makefile") == "`obsgen down --state-dir /tmp/s`"
