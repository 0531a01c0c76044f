"""What `obsgen apply` reads of a running Alertmanager before a reload (its /api/v2/status config.original, a YAML
text, and its alert groups, JSON) is a server's answer, read within core/untrusted's bounds: a hostile answer (an
alias bomb, deep nesting, an integer of a million digits) is one clear warning naming what and where, in a process
whose memory is capped at 1 GiB, never a traceback nor the machine's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from generator.apply import disk, notifier, prometheus
from generator.apply.http import Api, Connection
from generator.apply.outcome import Kind
from tests.servers import answer, answer_json_text, serving

ROOT = Path(__file__).resolve().parents[2]
PAGING = 'route: {receiver: pd}\nreceivers: [{name: pd, pagerduty_configs: [{routing_key_file: /k}]}]\n'
"""A running configuration that pages PagerDuty, so its groups are read and routed."""
GROUPS = [{"receiver": {"name": "pd"}, "labels": {"alertname": "Down"}, "alerts": [{"labels": {"alertname": "Down"}}]}]
LEVELS, WIDTH = 9, 10
ALIAS_BOMB = "".join([
    "r0: &r0 {receiver: pd, continue: true}\n",
    *(f"r{level}: &r{level} {{receiver: pd, continue: true, routes: [{', '.join([f'*r{level - 1}'] * WIDTH)}]}}\n"
      for level in range(1, LEVELS + 1)),
    f"route: {{receiver: pd, routes: [*r{LEVELS}]}}\n",
    "receivers: [{name: pd, pagerduty_configs: [{routing_key_file: /k}]}]\n"])
"""10^9 routes in 2 KB: whoever walks the route tree (group_key's) walks each alias anew."""
DEPTH = 100_000
DIGITS = 1_000_000
MEMORY = 2**30
"""What the process reading the answers may map: a walk of the alias bomb, or a text parsed into a billion values,
needs more."""
RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
from pathlib import Path
from generator.apply.alertmanager import SERVER
from generator.apply.http import Api, Connection
from generator.apply.reload import Prepared, _warned
out = Path({out!r})
files = {{path: (out / path).read_bytes() for path in ("alertmanager.yml", "templates/obsgen.tmpl")}}
api = Api(Connection("alertmanager", {url!r}, retries=0))
print(_warned(SERVER, api, Prepared(files, status=api.get("/api/v2/status"))))
"""


def _answering(config: str, groups: str) -> type[BaseHTTPRequestHandler]:
    status = json.dumps({"config": {"original": config}, "versionInfo": {"version": "0.25.0"}}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer_json_text(self, 200, status if self.path.startswith("/api/v2/status") else groups.encode())

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.mark.parametrize(("config", "groups", "said"), [
    pytest.param(ALIAS_BOMB, json.dumps(GROUPS), "/api/v2/status answered 200: config.original:2: an alias reuses "
                 "the value anchored as &r0; YAML aliases are refused", id="alias bomb"),
    pytest.param("route: " + "[" * DEPTH + "]" * DEPTH + "\n", json.dumps(GROUPS),
                 "/api/v2/status answered 200: config.original:1: nested deeper than 64 levels", id="deep YAML"),
    pytest.param(PAGING + "x: " + "9" * DIGITS + "\n", json.dumps(GROUPS),
                 f"/api/v2/status answered 200: config.original:3: an integer of {DIGITS} digits", id="long YAML int"),
    pytest.param(PAGING, "[" * DEPTH + "]" * DEPTH, "/api/v2/alerts/groups answered 200: line 1: nested deeper than "
                 "64 levels", id="deep JSON"),
    pytest.param(PAGING, json.dumps(GROUPS)[:-1] + ', ' + "9" * DIGITS + "]",
                 f"/api/v2/alerts/groups answered 200: line 1: an integer of {DIGITS} digits", id="long JSON int"),
])
def test_a_hostile_running_alertmanager_is_one_clear_warning_within_bounded_memory(config: str, groups: str,
                                                                                   said: str) -> None:
    with serving(_answering(config, groups)) as url:
        script = RUN.format(memory=MEMORY, out=str(ROOT / "out/alertmanager"), url=url)
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, (ran.stdout + ran.stderr)[-2000:]
    warning, = ran.stdout.strip().splitlines()
    assert warning == ("WARNING: could not tell what reloading does to what the server holds: alertmanager: GET "
                       + said + warning.partition(said)[2]), warning[:500]
    assert len(warning) < 500


def _metrics(exposed: Callable[[int], str]) -> type[BaseHTTPRequestHandler]:
    """A /metrics answering exposed(how many requests so far, this one counted) in the text format."""
    asked: list[str] = []

    class Metrics(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            answer(self, 200, exposed(len(asked)).encode(), "text/plain")

        def log_message(self, *args: object) -> None:
            pass

    return Metrics


def test_a_nan_or_inf_gauge_from_a_hostile_prometheus_metrics_is_said_as_prometheus_writes_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its notifier's Alertmanager count NaN, its dropped count +Inf after the reload: round() takes neither, and
    both warning lines must still be said."""
    def exposed(asked: int) -> str:  # watch() reads both gauges before the reload
        return f"{notifier.DISCOVERED} NaN\n{notifier.DROPPED} {'0' if asked <= 2 else '+Inf'}\n"

    monkeypatch.setattr(notifier, "WAIT", 0.1)
    config = {"alerting": {"alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9"]}]}]}}
    with serving(_metrics(exposed)) as url:
        told = notifier.watch(Api(Connection("prometheus", url, retries=0)), config)()
    assert told[0].startswith("Prometheus' notifier knew NaN Alertmanagers before the reload and none 0.1 s"), told
    assert told[1].startswith("Prometheus dropped +Inf alert notifications across the reload"), told


@pytest.mark.parametrize(("value", "said"), [("NaN", "NaN"), ("+Inf", "+Inf"), ("1e300", "1e+300")])
def test_a_reload_time_that_is_no_time_is_a_difference_said_not_a_traceback(tmp_path: Path, value: str,
                                                                            said: str) -> None:
    """`obsgen status --prometheus-dir`: datetime takes none of these as the time of the last reload."""
    name = "prometheus_config_last_reload_success_timestamp_seconds"

    for root in (tmp_path / "out/prometheus", tmp_path / "etc"):
        root.mkdir(parents=True)
        (root / "prometheus.yml").write_text("global: {}\n")
    with serving(_metrics(lambda asked: f"{name} {value}\n")) as url:
        findings = disk.on_disk(prometheus.SERVER, tmp_path / "out", tmp_path / "etc",
                                Api(Connection("prometheus", url, retries=0)))
    assert [(f.kind, f.detail) for f in findings] == [
        (Kind.DRIFT, f"{name} is {said}, no time: whether the server loaded these files is unknown")]
