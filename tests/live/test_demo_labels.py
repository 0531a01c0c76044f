"""The demo draws a project's own label values (newuser52 P1, P2): its Metrics' initial_labels and its Services,
so its selectors (an SLO's input, service="orders") find series, with a stock 5xx value kept for `code=~"5.."`."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import load
from generator.live.demo_history import Series, episodes, series_for
from tests.conftest import DEMO_NOW, ROOT

SHOP = '''
from generator.model import SLO, Metric, MetricType, RatioSLI, ScrapeJob, Service, Source

JOBS = [ScrapeJob(name="orders", source=Source.APPLICATION, targets=("orders:8080",))]
http_requests = Metric(name="http_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                       help="HTTP requests served.", labels=("service", "route", "code"),
                       initial_labels=({"service": "orders", "route": "/orders", "code": "200"},
                                       {"service": "payments", "route": "/pay", "code": "200"}))
http_duration = Metric(name="http_request_duration_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION,
                       unit="seconds", help="Time to serve an HTTP request.", labels=("service", "route"),
                       buckets=(0.1, 1))
ORDERS = Service(name="orders")
PAYMENTS = Service(name="payments")
SLOS = [SLO(service="orders", name="availability", objective=99.5, window="30d", description="Orders answered",
            sli=RatioSLI(errors='http_requests_total{service="orders",code=~"5.."}',
                         total='http_requests_total{service="orders"}',
                         error_labels={"code": "500"}, good_labels={"code": "200"}))]
'''


def test_the_demo_draws_the_declared_services_and_the_slo_input_exists(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/shop.py").write_text(SHOP)
    project = load(tmp_path / "definitions")
    drawn = series_for({"http_requests_total", "http_request_duration_seconds_bucket"}, project, DEMO_NOW)
    requests = [labels for name, labels, _ in drawn if name == "http_requests_total"]
    assert {labels["service"] for labels in requests} == {"orders", "payments"}
    assert {labels["route"] for labels in requests} == {"/orders", "/pay"}
    assert {labels["code"] for labels in requests} == {"200", "500"}  # 500: the SLO's errors select code=~"5.."
    assert {labels["service"] for name, labels, _ in drawn if name.startswith("http_request_duration")} \
        == {"orders", "payments"}  # no initial_labels: the Services


WEB = '''
from generator.model import Alert, Metric, MetricType, RecordingRule, ScrapeJob, Source
from definitions._alert import VALID

JOBS = [ScrapeJob(name="web", source=Source.APPLICATION, targets=("web:8080",))]
web_requests = Metric(name="web_requests_total", type=MetricType.COUNTER, source=Source.APPLICATION,
                      help="Requests served.", labels=("tier", "env"))
span_calls = Metric(name="calls_total", type=MetricType.COUNTER, source=Source.OTEL_COLLECTOR,
                    help="Spans seen.", labels=("span_kind", "status_code"))
web_busy = Alert(**{**VALID, "name": "WebBusy",
                    "expr": 'sum(rate(web_requests_total{tier="web", env="production"}[5m])) > 100'})
span_errors = RecordingRule(
    name="job:span_errors:ratio_rate5m", unit="ratio",
    expr='sum(rate(calls_total{span_kind="SERVER", status_code="ERROR"}[5m]))'
         ' / sum(rate(calls_total{span_kind="SERVER"}[5m]))')
lookups = Metric(name="lookups_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Cache lookups.",
                 labels=("result",))
found_share = RecordingRule(name="job:lookups_found:ratio_rate5m", unit="ratio",
                            expr='sum(rate(lookups_total{result="found"}[5m])) / sum(rate(lookups_total[5m]))')
'''


def _rate(drawn: list[Series], name: str, wanted: dict[str, str], at: int) -> float:
    return sum(value(at) - value(at - 300) for series, labels, value in drawn
               if series == name and labels.items() >= wanted.items()) / 300.0


def test_values_only_selectors_name_are_drawn_and_an_alert_on_them_fires(tmp_path: Path) -> None:
    """tier="web", env="production": no Metric declares them; the alert selecting them read no series in the demo
    and never fired there."""
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/web.py").write_text(WEB)
    project = load(tmp_path / "definitions")
    drawn = series_for({"web_requests_total"}, project, DEMO_NOW)
    start, end = episodes(project, DEMO_NOW)["WebBusy"]
    web = {"tier": "web", "env": "production"}
    assert _rate(drawn, "web_requests_total", web, (start + end) // 2) > 100
    assert 0 < _rate(drawn, "web_requests_total", web, start - 3600) < 100  # quiet before its episode


def test_a_failing_value_only_a_share_names_is_a_small_share(tmp_path: Path) -> None:
    """status_code="ERROR" of all SERVER spans: drawn like the stock value beside it, the error ratio read 50%. A
    share naming no failure (cache lookups found) is not made small."""
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/web.py").write_text(WEB)
    project = load(tmp_path / "definitions")
    drawn = series_for({"calls_total", "lookups_total"}, project, DEMO_NOW)
    server = {"span_kind": "SERVER"}
    errors = _rate(drawn, "calls_total", {**server, "status_code": "ERROR"}, DEMO_NOW)
    assert 0 < errors < 0.02 * _rate(drawn, "calls_total", server, DEMO_NOW)
    assert _rate(drawn, "lookups_total", {"result": "found"}, DEMO_NOW) > 0.2 * _rate(drawn, "lookups_total", {},
                                                                                          DEMO_NOW)


QUEUES = '''
tasks = Metric(name="tasks_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="Tasks run.",
               labels=("queue",))
default_share = RecordingRule(name="job:tasks_default:ratio_rate5m", unit="ratio",
                              expr='sum(rate(tasks_total{queue="default"}[5m])) / sum(rate(tasks_total[5m]))')
'''


def test_a_value_only_containing_a_failure_word_is_not_a_failing_part(tmp_path: Path) -> None:
    """queue="default" (Sidekiq's, RQ's first queue) holds "fault": read as a failure, its share of the tasks was
    drawn at 0.5%. The words are read where they start a word or a CamelCase part (ERROR, ServerError, failed)."""
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/web.py").write_text(WEB + QUEUES)
    project = load(tmp_path / "definitions")
    drawn = series_for({"tasks_total"}, project, DEMO_NOW)
    assert _rate(drawn, "tasks_total", {"queue": "default"}, DEMO_NOW) > 0.2 * _rate(drawn, "tasks_total", {},
                                                                                      DEMO_NOW)


FAILURE_VALUES = {
    # what kube-prometheus, gRPC and kube-state-metrics users select: each names a failure (the corpus' own
    # phase="Failed", reason="Failed", code=~"5.." were read already)
    "reason": ("CrashLoopBackOff", "OOMKilled", "ImagePullBackOff", "Evicted"),
    "grpc_code": ("DeadlineExceeded", "Unavailable", "ResourceExhausted", "PermissionDenied", "Aborted"),
    "outcome": ("crashed", "panic", "invalid_request", "dropped"),
}
HEALTHY_VALUES = {
    # only holding a failure word's letters, not at a word start or not as the word: no failure
    "reason": ("Completed", "backup"),
    "op": ("invalidate", "cache_invalidation", "skill_update", "oomph", "download"),
}


def _share_rules(values: dict[str, tuple[str, ...]], metric: str) -> str:
    lines = [f'{metric}_{label} = Metric(name="{metric}_{label}_total", type=MetricType.COUNTER, '
             f'source=Source.APPLICATION, help="Counted.", labels=("{label}",))' for label in values]
    lines += [f'{metric}_{label}_{n} = RecordingRule(name="job:{metric}_{label}_{n}:ratio_rate5m", unit="ratio", '
              f'expr=\'sum(rate({metric}_{label}_total{{{label}="{value}"}}[5m])) / '
              f"sum(rate({metric}_{label}_total[5m]))')"
              for label, named in values.items() for n, value in enumerate(named)]
    return "\n".join(lines) + "\n"


def test_values_users_select_that_name_a_failure_are_a_small_share(tmp_path: Path) -> None:
    """A share of pods restarting for CrashLoopBackOff, of gRPC calls ending DeadlineExceeded: a failing part, drawn
    at a small share (FAILING missed them: drawn like the rest, a 20-50% failure rate on a healthy demo); a value
    that only holds such letters (op="invalidate": "invalid", "download") stays the healthy part it is."""
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    (tmp_path / "definitions/web.py").write_text(WEB + _share_rules(FAILURE_VALUES, "failing")
                                                 + _share_rules(HEALTHY_VALUES, "healthy"))
    project = load(tmp_path / "definitions")
    names = {f"{kind}_{label}_total" for kind, values in (("failing", FAILURE_VALUES), ("healthy", HEALTHY_VALUES))
             for label in values}
    drawn = series_for(names, project, DEMO_NOW)
    shares = {(kind, value): _rate(drawn, f"{kind}_{label}_total", {label: value}, DEMO_NOW)
              / _rate(drawn, f"{kind}_{label}_total", {}, DEMO_NOW)
              for kind, values in (("failing", FAILURE_VALUES), ("healthy", HEALTHY_VALUES))
              for label, named in values.items() for value in named}
    assert {value: share for (kind, value), share in shares.items() if kind == "failing" and share >= 0.02} == {}
    assert {value: share for (kind, value), share in shares.items() if kind == "healthy" and share < 0.02} == {}
    assert all(share > 0 for share in shares.values())
