"""An SLO's alert that its SLI's inputs vanished: which series it watches, how it is routed, and what it means on
promtool's real rule engine (a quiet night is silent, inputs gone page after the `for`, a short gap does not)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.derive.slo.inhibitions import inhibitions
from generator.model import SLO, Metric, MetricType, Source
from generator.model.project import Project
from generator.model.sli import BoolGaugeSLI, LatencySLI, RatioSLI, parse_selector
from tests.servers import promtool_test
from tests.slo.tiny import write

ABSENT = "CheckoutAvailabilitySLIAbsent"
OK = 'http_requests_total{service="api",endpoint="/api/checkout",status="200"}'
FAILED = 'http_requests_total{service="api",endpoint="/api/checkout",status="500"}'


def _slo(slos: list[SLO], service: str, name: str) -> SLO:
    return next(slo for slo in slos if (slo.service, slo.name) == (service, name))


def test_each_sli_kind_watches_every_series_it_cannot_do_without(slos: list[SLO]) -> None:
    # the 5xx are a subset of the total: none yet is a good day, so only the total is watched
    assert _slo(slos, "checkout", "availability").sli.inputs() == (
        'http_requests_total{service="api",endpoint="/api/checkout"}',)
    # a failures counter of its own name is watched as a family, in the total's scope (not its failing labels)
    assert _slo(slos, "metrics-pipeline", "rule-evaluations").sli.inputs() == (
        "prometheus_rule_evaluations_total", "prometheus_rule_evaluation_failures_total")
    scoped = RatioSLI(errors='rpc_failed_total{job="api",code=~"Unavailable|Internal"}', total='rpc_total{job="api"}',
                      error_labels={"code": "Internal"})
    assert scoped.inputs() == ('rpc_total{job="api"}', 'rpc_failed_total{job="api"}')
    # the threshold's bucket too: the application's buckets changing leaves the count alone
    latency = _slo(slos, "api", "latency").sli
    assert isinstance(latency, LatencySLI) and latency.inputs() == (
        'http_request_duration_seconds_count{service="api"}',
        'http_request_duration_seconds_bucket{service="api",le="0.25"}')
    assert BoolGaugeSLI(gauge='up{job=~"a|b"}', test_labels={"job": "a"}).inputs() == ('up{job=~"a|b"}',)


def test_it_pages_as_the_slos_pages_do_with_its_labels_runbook_and_panel(project: Project, out: Path,
                                                                        slos: list[SLO]) -> None:
    checkout = _slo(slos, "checkout", "availability")
    alert = project.alerts[ABSENT]
    page = project.alerts[checkout.alert(checkout.alerting.windows[0])]
    assert (alert.severity, alert.escalation, alert.group) == (page.severity, page.escalation, page.group)
    assert alert.labels == {"slo": "availability", "service": "checkout",  # the burn alerts' but their window,
                            "sli": "absent", "job": "api"}  # and what groups a dead job's pages (test_absent_by_job)
    assert alert.for_ == "2m"  # Pyrra's for the SRE workbook's windows: half the 5m short window
    groups = yaml.safe_load((out / "prometheus/rules/slo-checkout-availability.yml").read_text())["groups"]
    rule = next(r for g in groups for r in g["rules"] if r.get("alert") == ABSENT)
    assert rule["expr"] == 'max(\n  absent(http_requests_total{service="api",endpoint="/api/checkout"})\n)'
    assert rule["annotations"]["runbook_url"].endswith(f"/runbooks/{ABSENT}.md")
    board = yaml.safe_load((out / "grafana/dashboards/General/slo-overview.json").read_text())
    panel = next(p for p in board["panels"] if p.get("title") == "SLI inputs absent (checkout availability)")
    assert rule["annotations"]["dashboard_url"].endswith(f"viewPanel=panel-{panel['id']}")
    assert "Targets page" in (out / f"docs/runbooks/{ABSENT}.md").read_text()


def _states(alert: str, minutes: dict[int, bool]) -> list[dict[str, Any]]:
    """Whether the alert fires at each minute (ALERTS, so its pending minutes are checked not firing)."""
    return [{"expr": f'count(ALERTS{{alertname="{alert}",alertstate="firing"}}) or vector(0)',
             "eval_time": f"{minute}m", "exp_samples": [{"value": int(fires)}]} for minute, fires in minutes.items()]


def _case(name: str, ok: str, failed: str, minutes: dict[int, bool]) -> dict[str, Any]:
    return {"name": name, "interval": "1m",
            "input_series": [{"series": OK, "values": ok}, {"series": FAILED, "values": failed}],
            "promql_expr_test": _states(ABSENT, minutes)}


def test_on_promtool_a_quiet_night_is_silent_vanished_inputs_page_and_their_return_resolves(
        out: Path, tmp_path: Path) -> None:
    """Checkout's counters on the shipped rules, a sample a minute; `stale` is the staleness marker Prometheus
    writes when a target's scrape fails or a series leaves it."""
    tests = [
        _case("a quiet night: the counters stay, flat", "500x180", "3x180", {30: False, 90: False, 180: False}),
        _case("the 5xx series gone after a restart (no failure since) is a good day", "0+10x60", "3x30 stale",
              {40: False, 60: False}),
        _case("the service gone: pending 2m, then fires until 5m after it is back", "0+10x30 stale _x29 300x20",
              "3x30 stale _x29 0x20",
              {31: False, 32: False, 33: True, 60: True, 61: True, 65: True, 67: False}),
        _case("one failed scrape (a marker, back a minute later) pages nobody", "0+10x30 stale 310+10x10",
              "3x30 stale 3x10", {31: False, 32: False, 35: False}),
        _case("two failed scrapes page nobody either", "0+10x30 stale _ 320+10x10", "3x30 stale _ 3x10",
              {31: False, 32: False, 33: False, 36: False}),
        _case("Prometheus down 4 minutes (no samples, no markers) pages nobody", "0+10x30 _x3 340+10x10",
              "3x30 _x3 3x10", {32: False, 33: False, 34: False, 38: False}),
    ]
    result = promtool_test({"rule_files": [str(out / "prometheus/rules/slo-checkout-availability.yml")],
                            "evaluation_interval": "1m", "tests": tests}, tmp_path / "absent.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_mutes_it_and_it_mutes_nothing(slos: list[SLO]) -> None:
    """Every SLO inhibit rule matches a window label, which the absent alert has none of."""
    for slo in slos:
        rules = inhibitions(slo)
        assert rules and all(any(m.startswith("window") for m in rule["target_matchers"]) and
                             any(m.startswith("window") for m in rule["source_matchers"]) for rule in rules)


def test_absent_false_leaves_no_alert_inhibition_or_test(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(write(tmp_path, '''
        LAZY = SLO(service="api", name="latency", objective=99, description="fast",
                   sli=LatencySLI(histogram=LATENCY, threshold=0.25), alerting=SLOAlerting(absent=False))
    '''), out)
    assert "SLIAbsent" not in (out / "prometheus/rules/slo-api-latency.yml").read_text()
    assert "SLIAbsent" not in (out / "alertmanager/alertmanager.yml").read_text()
    assert "SLI inputs absent" in (out / "grafana/dashboards/General/slo-overview.json").read_text()  # still shown
    assert not list((out / "prometheus/tests").glob("*absent*"))


CALLS = '''
    CALLS = Metric(name="calls_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Calls.",
                   labels=("method",), initial_labels=({"method": "Get"},))
    FAILED = Metric(name="calls_failed_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                    help="Failed calls, created at the first failure.", labels=("method",))
    RPC = SLO(service="rpc", name="availability", objective=99.9, description="Calls succeed",
              sli=RatioSLI(errors='calls_failed_total{method="Get"}', total='calls_total{method="Get"}'))
'''
RPC_ABSENT = "RpcAvailabilitySLIAbsent"


def test_it_watches_only_inputs_that_exist_from_their_exporters_start(tmp_path: Path) -> None:
    """The failures family is created at the first failure: after a restart it selects nothing on a good night, so
    the alert watches the total alone (created at 0 for the route); with nothing created at start there is none."""
    out = tmp_path / "out"
    build(write(tmp_path, CALLS), out)
    groups = yaml.safe_load((out / "prometheus/rules/slo-rpc-availability.yml").read_text())["groups"]
    rule = next(r for g in groups for r in g["rules"] if r.get("alert") == RPC_ABSENT)
    assert rule["expr"] == 'max(\n  absent(calls_total{method="Get"})\n)'
    assert (out / "prometheus/tests/slo-rpc-availability-absent.yml").exists()

    lazy = tmp_path / "lazy"
    lazy.mkdir()
    build(write(lazy, CALLS.replace(', initial_labels=({"method": "Get"},)', "")), lazy / "out")
    assert RPC_ABSENT not in (lazy / "out/prometheus/rules/slo-rpc-availability.yml").read_text()
    assert not list((lazy / "out/prometheus/tests").glob("*absent*"))


def test_on_promtool_a_quiet_restart_is_silent_a_crash_and_a_rename_page_and_the_return_resolves(
        tmp_path: Path) -> None:
    """The rpc SLO's rules on promtool, a sample a minute. After a restart the route's total is back at 0 and the
    failures family has no series until a call fails: silent. A crash (every series stale) and a rename (the total
    gone, the new name not read) page after the `for` (2m) and resolve when the total is back."""
    out = tmp_path / "out"
    build(write(tmp_path, CALLS), out)
    total, failed = 'calls_total{method="Get"}', 'calls_failed_total{method="Get"}'

    def case(name: str, totals: str, failures: str, minutes: dict[int, bool]) -> dict[str, Any]:
        return {"name": name, "interval": "1m",
                "input_series": [{"series": total, "values": totals}, {"series": failed, "values": failures}],
                "promql_expr_test": _states(RPC_ABSENT, minutes)}

    tests = [
        case("a restart on a quiet night: the total back at 0, no failure since", "0+10x30 stale 0x60",
             "2x30 stale", {33: False, 60: False, 90: False}),
        case("a crash: every series stale until the service is back", "0+10x30 stale _x19 0x20", "2x30 stale",
             {32: False, 33: True, 50: True, 53: False}),
        case("a rename: the total gone, the failures family too (renamed with it)", "0+10x30 stale",
             "2x30 stale", {32: False, 33: True, 90: True}),
    ]
    result = promtool_test({"rule_files": [str(out / "prometheus/rules/slo-rpc-availability.yml")],
                            "evaluation_interval": "1m", "tests": tests}, tmp_path / "restart.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_metric_says_which_series_exist_from_start() -> None:
    """Unlabelled families exist from registration; a labelled one only for its initial label sets (the scrape's
    job and a histogram's le aside), or all of them when initialised; a family with label sets is still a set
    member (the demo history groups series by family)."""
    served = Metric(name="served_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Served.",
                    labels=("route", "code"), initial_labels=({"route": "/checkout", "code": "200"},))
    assert served.exists_from_start(parse_selector('served_total{job="api",route="/checkout"}').matchers)
    assert not served.exists_from_start(parse_selector('served_total{route="/search"}').matchers)
    assert not served.exists_from_start(parse_selector('served_total{route="/checkout",code=~"5.."}').matchers)
    assert served.model_copy(update={"initialised": True}).exists_from_start(
        parse_selector('served_total{route="/search"}').matchers)
    assert Metric(name="jobs_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                  help="Jobs.").exists_from_start(())
    assert {served, served.model_copy()} == {served}
    with pytest.raises(ValueError, match="must give a value to each of the labels"):
        Metric(name="served_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Served.",
               labels=("route", "code"), initial_labels=({"route": "/checkout"},))
