"""The time-compressed profile: every duration of the definitions shrinks by the same factor, ranges included."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from generator.cli.app import app
from generator.core.duration import parse_seconds
from generator.core.errors import DefinitionError
from generator.derive.slo.page_order import page_orders
from generator.derive.slo.target_down import TARGET_DOWN, pairings
from generator.derive.time_compression import apply, held
from generator.live.stack import Options
from generator.live.stack import up as start
from generator.live.time_scale import pairing_warning
from generator.model import Forecast, ScrapeJob, Source
from generator.model.profile import Profile
from generator.model.project import Project
from generator.targets import prometheus

ROOT = Path(__file__).resolve().parents[2]


def test_ranges_shrink_with_time_but_not_below_the_floor(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    rules = fast.recording_rules
    assert rules["job:revenue:increase1h"].expr.count("[1m]") == 1
    assert "[20s]" in rules["instance:cpu_usage:percent"].expr  # 5m / 60 = 5s, floored at 20s
    assert "[1m] offset 2h48m" in rules["job:revenue:increase1h_offset1w"].expr  # offsets shrink too: 1w / 60
    assert "[5m]" in project.recording_rules["instance:cpu_usage:percent"].expr  # the definitions are untouched


def test_an_absent_alerts_for_outlasts_a_scrape_and_a_start_which_do_not_compress(project: Project) -> None:
    """SLIAbsent's 2m would be 2 s, shorter than a Prometheus start's first scrape (service discovery's updates
    come every 5 s): the live stack would page every SLO's inputs absent as it starts."""
    fast = apply(project, Profile(time_scale=1 / 60)).alerts
    assert fast["CheckoutAvailabilitySLIAbsent"].for_ == "21s"  # the 20 s floor plus half of 2m / 60
    assert fast["TargetDown"].for_ == "25s"  # 10m: still after the page it is muted by
    assert fast["PrometheusTSDBReloadsFailing"].for_ == "4m"  # 4h / 60: past twice the floor, scaled as is


def test_forecasts_are_queried_in_compressed_time_and_learn_in_the_definitions_time(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    disk = next(f for f in fast.all(Forecast) if f.name == "disk_free")
    assert (disk.step, disk.season, disk.history, disk.horizon, disk.interval) == ("5s", "24m", "5h36m", "1h12m", "10s")
    assert disk.time_scale == 60
    assert disk.capacity is not None and disk.capacity.critical_within == "1d"  # judged in the definitions' time
    assert Forecast.model_validate(disk.model_dump()).model_dump() == disk.model_dump()  # the exporter accepts it


def test_label_values_that_look_like_ranges_are_left_alone(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    assert 'status=~"5.."' in fast.recording_rules["service:http_errors:ratio_rate5m"].expr


def test_demo_scrape_jobs_are_added_and_unnamed_jobs_dropped(project: Project) -> None:
    host = ScrapeJob(name="node-simulated", source=Source.NODE_EXPORTER, targets=("127.0.0.1:8000",),
                     metrics_path="/host/metrics", labels={"instance": "simulated-host"})
    live = apply(project, Profile(targets={"node": ("127.0.0.1:9100",)}, scrape_jobs=(host,)))
    assert [(job.name, job.targets) for job in live.scrape_jobs] == [
        ("node", ("127.0.0.1:9100",)), ("node-simulated", ("127.0.0.1:8000",))]
    # JobMissing asks about the jobs this Prometheus is told to scrape, no dropped one (which would page forever)
    assert live.alerts["JobMissing"].expr == 'absent(up{job="node"}) or absent(up{job="node-simulated"})'
    assert 'absent(up{job="grafana"})' in project.alerts["JobMissing"].expr  # the definitions' build asks of all
    fast = apply(project, Profile(time_scale=1 / 60, targets={"node": ("127.0.0.1:9100",)}))
    assert fast.alerts["JobMissing"].expr == 'absent(up{job="node"})'


def test_only_a_profile_with_an_out_of_order_window_writes_prometheus_storage_section(project: Project) -> None:
    assert "storage" not in prometheus.config(project)
    assert "storage" not in prometheus.config(apply(project, Profile(time_scale=1 / 60)))
    live = apply(project, Profile(out_of_order_time_window="10m"))
    assert prometheus.config(live)["storage"] == {"tsdb": {"out_of_order_time_window": "10m"}}


def test_a_profile_keeping_no_scrape_job_is_refused_naming_job_missing(project: Project) -> None:
    """alerts58: a profile dropping every job fell back to the declared jobs' expression, so its Prometheus paged
    JobMissing for 11 jobs it was never told to scrape."""
    with pytest.raises(DefinitionError) as refused:
        apply(project, Profile(targets={"not-a-declared-job": ("127.0.0.1:1",)}))
    assert Path(refused.value.location.file).name == "alerts.py" and refused.value.location.line > 0
    assert refused.value.message.startswith("Alert: when: alert JobMissing watches every scrape job (EveryJobAbsent)")
    # the condition is typed in the definitions, the expression written over what the build scrapes
    assert project.alerts["JobMissing"].when is not None
    assert project.alerts["JobMissing"].expr == project.alerts["JobMissing"].when.over(
        job.name for job in project.scrape_jobs)


def test_build_time_scale_writes_a_compressed_copy_and_never_over_out(tmp_path: Path) -> None:
    def obsgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", *args], cwd=ROOT,
                              capture_output=True, text=True)

    refused = obsgen("--time-scale", "60")
    assert refused.returncode == 1 and "must not replace out/" in refused.stderr
    assert obsgen("--time-scale", "60", "--out", str(tmp_path / "fast")).returncode == 0
    alerts = (tmp_path / "fast/prometheus/rules/alerts.yml").read_text()
    assert "for: 5s" in alerts and "offset 2h48m" in alerts  # 5m and 1w / 60
    assert (ROOT / "out/prometheus/rules/alerts.yml").read_text().count("for: 5m") >= 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"scrape_interval": "bogus"}, "'bogus' is not a Prometheus duration"),
    ({"scrape_interval": "0s"}, "scrape interval '0s' must be longer than 0s"),
    ({"range_floor": "5x"}, "'5x' is not a Prometheus duration"),
    ({"out_of_order_time_window": "0s"}, "out of order time window '0s' must be longer than 0s"),
    ({"time_scale": math.nan}, "time scale nan is not a finite number above 0"),
    ({"time_scale": math.inf}, "time scale inf is not a finite number above 0"),
    ({"time_scale": 0.0}, "time scale 0.0 is not a finite number above 0"),
])
def test_a_profile_no_build_can_follow_is_refused_when_made(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Profile(**fields)


@pytest.mark.parametrize(("value", "message"), [
    ("bogus", "Invalid value for '--scrape-interval': 'bogus' is not a Prometheus duration"),
    ("5", "Invalid value for '--scrape-interval': '5' is not a Prometheus duration"),
])
def test_latency_refuses_a_scrape_interval_that_is_not_a_duration_as_a_usage_error(value: str, message: str) -> None:
    definitions = str(ROOT / "definitions")
    result = CliRunner().invoke(app, ["latency", "--definitions", definitions, "--scrape-interval", value])

    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert message in result.stderr


def test_latency_refuses_a_zero_scrape_interval_in_one_line() -> None:
    result = CliRunner().invoke(app, ["latency", "--definitions", str(ROOT / "definitions"), "--scrape-interval", "0s"])

    assert result.exit_code == 1, result.output
    assert result.stderr == "error: scrape interval '0s' must be longer than 0s\n"


def test_latency_of_a_project_without_alerts_is_a_table_not_a_traceback() -> None:
    result = CliRunner().invoke(app, ["latency", "--definitions", str(ROOT / "tests/checks/base")])

    assert result.exit_code == 0, result.output
    assert "in a new Alertmanager group or as condition true -> notification: no alert to check" in result.stdout


@pytest.mark.parametrize("expr", ["absent(rate(x_total[5m]))", "absent(sum by (job) (x_total))", "absent(x > 0)",
                                  "absent_over_time(sum(rate(x_total[5m]))[10m:1m])",
                                  "max(absent(x{job=\"a\"}) or vector(0)) == 1"])
def test_an_alert_asking_for_series_at_any_depth_inside_absent_keeps_its_for(project: Project, expr: str) -> None:
    """absent()'s argument may aggregate, rate or compare what it asks for: its `for` still outlasts a failed
    scrape and a start's first one; an alert reading values with the same `for` is held exactly as long (one map
    for every `for`, so no order between two alerts turns round)."""
    shipped = project.alerts["TargetDown"]
    asking = shipped.model_copy(update={"name": "XGone", "expr": expr, "for_": "10m"})
    valued = shipped.model_copy(update={"name": "XLow", "expr": "sum(rate(x_total[5m])) < 1", "for_": "10m"})
    fast = apply(dataclasses.replace(project, objects=(*project.objects, asking, valued)),
                 Profile(time_scale=1 / 60)).alerts
    assert (fast["XGone"].for_, fast["XLow"].for_) == ("25s", "25s")  # 10m / 60 = 10 s: the 20 s floor + 5 s


@pytest.mark.parametrize("profile", [Profile(time_scale=1 / 60, scrape_interval="1s"),  # obsgen up's
                                     Profile(time_scale=1 / 60, scrape_interval="1s", range_floor="3s")])
def test_an_absent_page_fires_before_the_target_down_it_mutes_in_compressed_time(
        project: Project, profile: Profile) -> None:
    """The page mutes TargetDown of its inputs' jobs; were TargetDown to fire first it would be told (a dead service
    told twice), and its resolution muted (prometheus/alertmanager#2754). A dead target's failed scrape writes
    staleness markers, so absent() of an instant selector is true an evaluation after the scrape that failed; one of a
    range's series only once the (compressed) range holds none; up == 0 at the failed scrape itself."""
    fast = apply(project, profile)
    paired = [rule for rule in pairings(fast) if f'alertname="{TARGET_DOWN}"' in rule["target_matchers"]]
    pages = {rule["source_matchers"][0] for rule in paired}  # every shipped SLO but the one reading `up` alone
    assert len(pages) == 4, paired
    orders = page_orders(fast)
    assert {f'alertname="{order.page.name}"' for order in orders} == pages
    for order in orders:
        assert order.scrape_and_evaluation == 2.0  # obsgen up's scrape and evaluation, a second each
        assert order.in_order, (profile, order.page.name, order.page_told, order.target_down.for_)


@pytest.mark.parametrize(("time_scale", "largest"), [(60.0, 0), (119.0, 0), (120.0, 119), (600.0, 119)])
def test_up_warns_of_a_time_scale_that_lets_target_down_fire_before_the_page_that_mutes_it(
        project: Project, time_scale: float, largest: int) -> None:
    """Above 119x the page's and TargetDown's compressed `for`s (2m and 10m: 240 s apart, halved under the
    floor) are no more than a scrape and an evaluation (a second each) apart: at 120x exactly 2 s."""
    warning = pairing_warning(project, time_scale, "1s")
    if not largest:
        assert warning == ""
        return
    assert warning.startswith(f"--time-scale {time_scale:g}: ") and "told twice" in warning, warning
    assert f"; {largest}x is the largest time scale that keeps every SLO's absent page first" in warning


def test_up_warns_of_such_a_time_scale_before_it_starts_anything(tmp_path: Path) -> None:
    """`obsgen up` hands the warning to its caller (the CLI prints it on stderr) once the definitions are loaded:
    a caller that stops there has nothing to stop."""
    class Told(Exception):
        pass

    def warn(line: str) -> None:
        raise Told(line)

    state = tmp_path / "state"
    with pytest.raises(Told, match=r"^--time-scale 600: .*; 119x is the largest time scale that keeps every"):
        start(Options(ROOT / "definitions", state, 600.0, free_ports=True), warn=warn)
    assert not (state / "state.json").exists() and not (state / "prometheus-data").exists()


@pytest.mark.parametrize("time_scale", [1 / 60, 1 / 600, 2.0])  # a second apart stays a millisecond apart
def test_compressed_fors_keep_the_order_of_every_two(time_scale: float) -> None:
    """One strictly increasing map for every `for`: what holds longer in the definitions holds longer compressed,
    what holds as long holds as long, and nothing holds longer than the definitions say (under the floor)."""
    hold = held(Profile(time_scale=time_scale))
    durations = ["0s", "1s", "15s", "30s", "1m", "2m", "2m1s", "3m", "5m", "10m", "15m", "20m", "30m", "40m", "1h",
                 "4h", "1d", "7d"]
    compressed = [parse_seconds(hold(duration)) for duration in durations]
    assert compressed == sorted(set(compressed)), dict(zip(durations, compressed, strict=True))
    if time_scale < 1:
        assert all(after <= parse_seconds(before) for before, after in zip(durations, compressed, strict=True))
