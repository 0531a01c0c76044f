"""SLOs expanded by the loader into recording rules and burn-rate alerts, checked like any other definition."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.build import check_project, load
from generator.core.errors import DefinitionError
from generator.derive.series import defined_series
from generator.derive.slo.rules import expand, period_ratio_expr
from generator.model import SLO, Metric
from generator.model.metrics import RECORDING_RULE_NAME
from generator.model.project import Project
from tests.servers import promtool_test
from tests.slo.tiny import FIRST_LINE, write

SLOTH_RULES_PER_SLO = 17  # examples/_gen/getting-started.yml of slok/sloth: 8 SLI + 7 metadata + 2 alerts


def _families(project: Project) -> dict[str, Metric]:
    """The shipped series names and their declared Metric, which say which SLI inputs exist from start."""
    return {name: metric for name, metric in defined_series(project).items() if metric is not None}


def test_every_slo_compiles_into_14_recording_rules_4_burn_alerts_and_an_absent_alert(project: Project,
                                                                                      slos: list[SLO]) -> None:
    families = _families(project)  # every shipped input exists from its exporter's start: each SLO has one
    counts = {f"{slo.service} {slo.name}": tuple(len(rules) for rules in expand(slo, families)) for slo in slos}
    print("\nrules per SLO (recording, alerts) vs Sloth's", SLOTH_RULES_PER_SLO, counts)
    assert len(counts) == 5
    assert set(counts.values()) == {(14, 5)}
    assert all(expand(slo, families)[1][-1].name == slo.absent_alert for slo in slos)


def test_rules_follow_the_naming_convention_and_sit_in_one_group_per_slo(project: Project, slos: list[SLO]) -> None:
    for slo in slos:
        rules, alerts = expand(slo, _families(project))
        assert all(RECORDING_RULE_NAME.match(rule.name) and rule.name.startswith(f"slo:{slo.key}_") for rule in rules)
        assert {rule.group for rule in rules} | {alert.group for alert in alerts} == {f"slo-{slo.slug}"}
        assert all(rule.name in project.recording_rules for rule in rules)
        assert all(alert.name in project.alerts for alert in alerts)


def test_expanded_rules_point_at_the_slo_definition(project: Project, slos: list[SLO]) -> None:
    slo = slos[0]
    rule = project.recording_rules[slo.error_ratio_record("1h")]
    assert rule.location == slo.location
    assert project.relative(rule.location).file == "definitions/slos.py"


def test_page_alerts_are_critical_and_escalate_tickets_are_warnings(project: Project, slos: list[SLO]) -> None:
    checkout = next(slo for slo in slos if slo.service == "checkout")
    found = {burn.long: project.alerts[checkout.alert(burn)] for burn in checkout.alerting.windows}
    climbs = {w: project.escalation_of(a) for w, a in found.items()}
    assert {w: (a.severity, p.name if p else "") for (w, a), p in zip(found.items(), climbs.values(), strict=True)} \
        == {"1h": ("critical", "default"), "6h": ("critical", "default"), "1d": ("warning", ""), "3d": ("warning", "")}
    assert found["1h"].labels == {"slo": "availability", "service": "checkout", "window": "1h"}
    assert found["1h"].condition == (
        "slo:checkout_availability_sli_error:ratio_rate1h > (14.4 * 0.001)\nand\n"
        "slo:checkout_availability_sli_error:ratio_rate5m > (14.4 * 0.001)\nand on ()\n"
        '(sum(rate(http_requests_total{service="api",endpoint="/api/checkout",status=~"5.."}[1h]))) * 3600 >= 5')
    scrapes = next(slo for slo in slos if slo.service == "metrics-pipeline")  # samples come day and night
    assert "and on ()" not in project.alerts[scrapes.alert(scrapes.alerting.windows[0])].condition


def test_the_window_ratio_weighs_every_5m_by_its_traffic(slos: list[SLO]) -> None:
    assert period_ratio_expr(slos[2]) == (
        "sum_over_time(slo:checkout_availability_error_events:rate5m[30d])"
        " / (sum_over_time(slo:checkout_availability_events:rate5m[30d]) > 0)")


def test_slo_alerts_get_runbooks_and_routes(out: Path, slos: list[SLO]) -> None:
    name = slos[3].alert(slos[3].alerting.windows[0])
    runbook = (out / f"docs/runbooks/{name}.md").read_text()
    assert "API requests are served within 250 ms" in runbook and "Escalation (policy `default`)" in runbook
    assert name in (out / "alertmanager/tests/routes.yml").read_text()


def test_rule_tests_load_only_the_rule_files_their_alerts_read(out: Path) -> None:
    def files(name: str) -> list[str]:
        rule_files: list[str] = yaml.safe_load((out / f"prometheus/tests/{name}.yml").read_text())["rule_files"]
        return rule_files

    # RevenueDrop's week loads it and the two recording rules it reads, cut from those files (test_rule_test_cuts)
    assert files("alerts-every-4m") == ["rules/alerts-every-4m.yml"]
    assert files("slo-api-latency") == files("slo-api-latency-scenarios") == ["../rules/slo-api-latency.yml"]
    assert files("escalation-default") == ["../rules/escalation-default-alerts.yml"]


def _load(tmp_path: Path, body: str) -> Project:
    return load(write(tmp_path, body))


def _error(tmp_path: Path, body: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        _load(tmp_path, body)
    return caught.value


def test_a_threshold_off_the_buckets_stops_the_build_at_its_line(tmp_path: Path) -> None:
    error = _error(tmp_path, '''
        SLOW = SLO(service="api", name="latency", objective=99, description="fast",
                   sli=LatencySLI(histogram=LATENCY, threshold=0.3))
    ''')
    assert error.location.file.endswith("definitions/project.py")
    assert error.location.line == FIRST_LINE + 1  # the SLI's line
    assert "threshold 0.3 is not a bucket boundary of req_seconds (buckets: 0.1, 0.25, 1)" in error.message


def test_a_ratio_over_a_gauge_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, '''
        BAD = SLO(service="jobs", name="queue", objective=99, description="q",
                  sli=RatioSLI(errors='queue_depth{state="failed"}', total="queue_depth"))
    ''')
    assert error.location.line == FIRST_LINE + 1  # the sli= field, the line below the SLO's first
    assert "queue_depth is a gauge; a ratio SLI counts events" in error.message


def test_an_undeclared_metric_is_refused(tmp_path: Path) -> None:
    error = _error(tmp_path, '''
        BAD = SLO(service="api", name="availability", objective=99, description="a",
                  sli=RatioSLI(errors="errors_total", total="requests_total"))
    ''')
    assert "reads 'errors_total', which no Metric or RecordingRule defines" in str(error)  # among every problem


def test_an_unknown_severity_or_policy_is_refused_at_the_slo(tmp_path: Path) -> None:
    error = _error(tmp_path, '''
        BAD = SLO(service="api", name="latency", objective=99, description="fast",
                  sli=LatencySLI(histogram=LATENCY, threshold=0.25),
                  alerting=SLOAlerting(page_escalation="oncall"))
    ''')
    assert error.location.line == FIRST_LINE and "unknown escalation policy 'oncall'" in error.message


def test_a_window_longer_than_retention_is_a_warning(tmp_path: Path) -> None:
    project = _load(tmp_path, '''
        from generator.model import RetentionPolicy
        KEEP = RetentionPolicy(name="p", raw="1h", aggregated="7d", summary="15d", server_retention="15d")
        SLOW = SLO(service="api", name="latency", objective=99, description="fast",
                   sli=LatencySLI(histogram=LATENCY, threshold=0.25))
    ''')
    assert any("window 30d is longer than Prometheus keeps data (15d)" in w.message
               for w in check_project(project).problems)


def test_a_factor_below_1_is_a_warning(tmp_path: Path) -> None:
    project = _load(tmp_path, '''
        WEEK = SLO(service="api", name="latency", objective=99, window="7d", description="fast",
                   sli=LatencySLI(histogram=LATENCY, threshold=0.25))
    ''')
    warned = [w.message for w in check_project(project).problems if "below 1" in w.message]
    assert warned == [
        "SLO api latency: the 1d window's factor 0.7 is below 1, so it alerts on burns that leave budget at the end "
        "of 7d; give it budget_percent=14.28571429 or more (Sloth's 7d example uses windows of its own)",
        "SLO api latency: the 3d window's factor 0.2333333333 is below 1, so it alerts on burns that leave budget at "
        "the end of 7d; give it budget_percent=42.85714286 or more (Sloth's 7d example uses windows of its own)"]


def test_on_a_quiet_night_one_failed_checkout_pages_nobody_and_an_outage_pages(out: Path, tmp_path: Path) -> None:
    """One checkout a minute. A lone 500 is 1/60 of the hour, past the 1h window's 1.44% line (the budget's
    arithmetic says 17x), but no outage; six failures in a few minutes, or every request failing, page."""
    ok, failed = (f'http_requests_total{{service="api",endpoint="/api/checkout",status="{code}"}}'
                  for code in ("200", "500"))
    page = "CheckoutAvailabilityBudgetBurn1h"

    def case(name: str, requests: str, failures: str, minute: int, firing: bool) -> dict[str, object]:
        """Whether the page fires at the minute given."""
        return {"name": name, "interval": "1m",
                "input_series": [{"series": ok, "values": requests}, {"series": failed, "values": failures}],
                "promql_expr_test": [{"expr": f'count(ALERTS{{alertname="{page}",alertstate="firing"}}) or vector(0)',
                                      "eval_time": f"{minute}m", "exp_samples": [{"value": int(firing)}]}]}

    tests = [case("one failure", "0+1x130", "0x120 1x10", 123, False),
             case("six failures in six minutes", "0+1x130", "0x100 1+1x5 6x25", 106, True),
             case("every request fails from minute 121", "0+1x120 120x10", "0x120 1+1x10", 127, True)]
    result = promtool_test({"rule_files": [str(out / "prometheus/rules/slo-checkout-availability.yml")],
                            "evaluation_interval": "1m", "tests": tests}, tmp_path / "quiet.yml")
    assert result.returncode == 0, result.stdout + result.stderr
