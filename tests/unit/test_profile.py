"""The time-compressed profile: every duration of the definitions shrinks by the same factor, ranges included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.derive.time_compression import apply
from generator.model import Forecast, ScrapeJob, Source
from generator.model.profile import Profile
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[2]


def test_ranges_shrink_with_time_but_not_below_the_floor(project: Project) -> None:
    fast = apply(project, Profile(time_scale=1 / 60))
    rules = fast.recording_rules
    assert rules["job:revenue:increase1h"].expr.count("[1m]") == 1
    assert "[20s]" in rules["instance:cpu_usage:percent"].expr  # 5m / 60 = 5s, floored at 20s
    assert "[1m] offset 2h48m" in rules["job:revenue:increase1h_offset1w"].expr  # offsets shrink too: 1w / 60
    assert "[5m]" in project.recording_rules["instance:cpu_usage:percent"].expr  # the definitions are untouched


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
