"""`obsgen up` brings the whole stack up and prints its URLs; `obsgen down` leaves no process behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from generator.live.running import LiveStack, availability, restart
from generator.live.stack import EXPORTER_CONFIG
from generator.live.supervisor import Supervisor, alive
from tests.e2e.inhibition import until

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ("prometheus", "alertmanager", "node-exporter", "demo app", "simulated host", "webhook sink", "smtp sink",
              "dashboards")


def _obsgen(*args: str, state: Path | None = None) -> subprocess.CompletedProcess[str]:
    """obsgen, inside the live stack of `state` when given (as a shell where OBSGEN_STATE_DIR is set)."""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_URL")}
    if state is not None:
        env["OBSGEN_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=env)


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of running (not zombie) processes that mention text."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def _reaches_prometheus(exporter: str) -> bool:
    """Whether the exporter's last forecast query reached Prometheus and it serves a forecast from it."""
    text = requests.get(exporter + "/metrics", timeout=5).text
    samples = [sample for family in text_string_to_metric_families(text) for sample in family.samples]
    return (any(s.name == "obsgen_prometheus_up" and s.value == 1 for s in samples)
            and any(s.name == "obsgen_forecast" for s in samples))


def _forecast_runs(exporter: str) -> str:
    """The exporter's Prometheus gauge and how one forecast's runs ended, for a failed wait to show."""
    lines = requests.get(exporter + "/metrics", timeout=5).text.splitlines()
    return "\n".join(line for line in lines if line.startswith(
        ("obsgen_prometheus_up ", 'obsgen_query_runs_total{database="",query="revenue_hourly"')))


def _alert_rule(prometheus: str, name: str) -> dict[str, Any]:
    """An alerting rule as the stack's Prometheus evaluates it: its `for` (seconds), state, alerts and query."""
    groups = requests.get(prometheus + "/api/v1/rules", timeout=5).json()["data"]["groups"]
    rule = next(rule for group in groups for rule in group["rules"] if rule["name"] == name)
    return {"for": rule["duration"], "state": rule["state"], "alerts": rule["alerts"], "query": rule["query"]}


QUIET_NIGHT = ("PrometheusAlertmanagersMissing", "MetricsPipelineScrapesBudgetBurn3d")
"""Alerts an on-call drill found paging on a healthy stack (report-oncall54): the stack ran one Alertmanager of the
definitions' pair, and a few-second Alertmanager restart burnt a 3-day budget the stack was minutes old for."""


def _refused_or_failed(prometheus: str) -> tuple[float, list[tuple[str, str, str]]]:
    """The samples Prometheus refused as out of bounds (older than its newest block's end), and each rule whose
    last evaluation failed (group, rule, error)."""
    text = requests.get(prometheus + "/metrics", timeout=5).text
    refused = sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                  if sample.name == "prometheus_tsdb_out_of_bound_samples_total")
    groups = requests.get(prometheus + "/api/v1/rules", timeout=5).json()["data"]["groups"]
    return refused, [(group["name"], rule["name"], rule["lastError"]) for group in groups for rule in group["rules"]
                     if rule.get("lastError")]


def _failed_scrapes(stack: LiveStack, job: str) -> int:
    """Scrapes of `job` that failed since the stack was ready, as `obsgen down` counts them."""
    measured = next(measure for measure in availability(stack) if measure.job == job)
    return measured.expected - measured.successful


def test_up_prints_every_url_and_down_leaves_no_process_behind(tmp_path: Path) -> None:
    state = tmp_path / "live"
    started = _obsgen("up", "--state-dir", str(state), "--free-ports")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        print(started.stdout)
        # how long up took is reported (printed above), not asserted: a wall-clock bound on the test machine's
        # clock is no plan target and only measured how busy the shared CI machine was
        assert re.search(r"^obsgen: live stack up in [\d.]+ s, time 60x faster", started.stdout, re.MULTILINE)
        for component in COMPONENTS:
            assert f"  {component} " in started.stdout
        for url in re.findall(r"(http://127\.0\.0\.1:\d+\S*)", started.stdout):
            assert requests.get(url.split("/faults")[0], timeout=5).status_code in (200, 404), url
        dashboards = re.search(r"  dashboards +(http://\S+)/ ", started.stdout)[1]  # type: ignore[index]
        page = requests.get(f"{dashboards}/d/development", timeout=30)
        assert page.status_code == 200 and '"live":{"path":"/ws/development?obsgenPage=' in page.text
        processes = Supervisor.load(state).processes
        assert len(processes) >= 6 and all(alive(p) for p in processes)
        assert f"stop it with `obsgen down --state-dir {state}`" in started.stdout

        # commands run inside the stack find its servers and its out/, not http://prometheus:9090 and ./out
        status = _obsgen("status", state=state)
        assert status.returncode == 0 and f"in sync with {state / 'out'}" in status.stdout, \
            status.stdout + status.stderr
        # the history is written ahead of the clock: the scrapes and rule evaluations of those seconds are stored
        # beside its blocks, none refused as out of bounds, so no rule keeps that error (a 1d group, every 5 minutes,
        # whose first slot fell there kept it until its next evaluation)
        assert _refused_or_failed(LiveStack.load(state).urls["prometheus"]) == (0, [])
        report = _obsgen("forecast", "report", state=state)
        assert "revenue_hourly" in report.stdout and "unreachable" not in report.stdout + report.stderr

        # the running exporter, started from its exporter.yml alone, forecasts from the Prometheus the stack runs
        stack = LiveStack.load(state)
        config = yaml.safe_load((state / "out" / EXPORTER_CONFIG).read_text())
        assert config["exporter"]["prometheus_url"] == stack.urls["prometheus"]
        assert until(lambda: _reaches_prometheus(stack.urls["exporter"]), timeout=60), \
            _forecast_runs(stack.urls["exporter"])

        # a healthy stack pages no JobMissing: its rule asks only about the jobs this Prometheus is told to scrape
        # (obsgen up drops the jobs of what it does not run here: grafana, loki, tempo...), so once its `for` and
        # two evaluations have passed since the stack was ready, it is neither pending nor firing
        prometheus = stack.urls["prometheus"]
        wait = float(_alert_rule(prometheus, "JobMissing")["for"]) + 2 * float(stack.scrape_interval)
        time.sleep(max(0.0, wait - (time.time() - stack.ready_at)))
        missing = _alert_rule(prometheus, "JobMissing")
        assert missing["state"] == "inactive" and missing["alerts"] == [], (
            missing["state"], sorted(alert["labels"]["job"] for alert in missing["alerts"]))

        # nor the quiet night's false pages: Prometheus sends to the definitions' Alertmanager pair, and restarting
        # one (SIGTERM, a few scrapes missed) burns a sliver of the pipeline's 3-day budget, backfilled healthy like
        # the demo's history, not most of a window holding only the stack's own minutes. Down for 3 scrape intervals:
        # a restart quicker than one interval may miss no scrape, and then nothing here would be proven
        before = _failed_scrapes(stack, "alertmanager")
        restart(stack, "alertmanager", down_for=3 * stack.scrape_interval)
        time.sleep(2 * stack.scrape_interval)
        missed = _failed_scrapes(stack, "alertmanager") - before
        print(f"an Alertmanager of the pair down for 3 scrape intervals: {missed} of its scrapes missed")
        assert missed >= 2, f"the restart missed {missed} scrapes of the alertmanager job: it proves nothing"
        wait = max(float(_alert_rule(prometheus, name)["for"]) for name in QUIET_NIGHT) + 5 * stack.scrape_interval
        time.sleep(max(5 * stack.scrape_interval, wait - (time.time() - stack.ready_at)))
        paged = {name: (rule["state"], [alert["labels"] for alert in rule["alerts"]])
                 for name in QUIET_NIGHT if (rule := _alert_rule(prometheus, name))["state"] != "inactive"}
        assert paged == {}, paged
    except BaseException:  # a failed check must not leave the stack running
        _obsgen("down", "--state-dir", str(state))
        raise

    stopped = _obsgen("down", "--state-dir", str(state))
    assert stopped.returncode == 0, stopped.stderr
    assert not [p for p in processes if alive(p)]
    assert _processes_mentioning(str(state)) == []
    assert _obsgen("down", "--state-dir", str(state)).stdout.startswith("obsgen: nothing recorded")
