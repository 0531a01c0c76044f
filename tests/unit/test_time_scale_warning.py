"""Every command taking --time-scale warns, as `obsgen up` does, of a scale that lets an SLO's absent page fire
after the TargetDown it mutes (a dead service told twice), naming the largest scale that keeps them paired."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from generator.derive.slo import page_order
from generator.derive.slo.page_order import largest_paired_scale
from generator.derive.time_compression import apply
from generator.live import time_scale
from generator.live.time_scale import pairing_warning
from generator.model.profile import Profile
from generator.model.project import Project

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "warning: --time-scale "


def obsgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True)


def pairing_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(PREFIX)]


@pytest.mark.parametrize(("scale", "largest"), [("600", 10), ("10", 0), ("", 0)])
def test_build_warns_of_a_time_scale_that_tells_a_dead_service_twice(
        project: Project, tmp_path: Path, scale: str, largest: int) -> None:
    """The shipped definitions scrape and evaluate every 15 s, which compression keeps: above 10x an absent page's
    `for` plus those 30 s outlasts TargetDown's. The default (no compression) says nothing."""
    result = obsgen("build", *(("--time-scale", scale) if scale else ()), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = pairing_lines(result.stderr)
    if not largest:
        assert lines == [], lines
        return
    assert lines == [f"warning: {pairing_warning(project, float(scale), '')}"]  # the text `obsgen up` gives
    assert "(20s100ms `for` + a scrape and an evaluation at 15s)" in lines[0]
    assert lines[0].endswith(f"; {largest}x is the largest time scale that keeps every SLO's absent page first")


def test_a_quiet_build_does_not_warn(tmp_path: Path) -> None:
    result = obsgen("build", "--quiet", "--time-scale", "600", "--out", str(tmp_path / "out"))
    assert result.returncode == 0 and pairing_lines(result.stderr) == [], result.stderr


@pytest.mark.parametrize(("args", "largest"), [
    (("--time-scale", "600", "--scrape-interval", "1s"), 119),  # the live stack's intervals, 5x faster
    (("--time-scale", "60", "--scrape-interval", "1s"), 0),  # the live stack's
    (("--time-scale", "60"), 10),  # the definitions' own 15 s
    ((), 0)])
def test_latency_warns_of_a_time_scale_that_tells_a_dead_service_twice(
        project: Project, args: tuple[str, ...], largest: int) -> None:
    result = obsgen("latency", *args)
    assert result.returncode == 0, result.stderr  # as without the warning: every alert meets the plan's reading
    assert "CpuHigh " in result.stdout
    lines = pairing_lines(result.stderr)
    if not largest:
        assert lines == [], lines
        return
    scrape_interval = args[3] if len(args) > 2 else ""
    assert lines == [f"warning: {pairing_warning(project, float(args[1]), scrape_interval)}"]
    assert lines[0].endswith(f"; {largest}x is the largest time scale that keeps every SLO's absent page first")


def test_the_warning_compresses_the_definitions_once_at_the_scale_asked(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compressed project that found the late pages is largest_paired_scale's first probe too."""
    compressed: Counter[float] = Counter()
    original = apply

    def counted(definitions: Project, profile: Profile) -> Project:
        compressed[profile.time_scale] += 1
        return original(definitions, profile)

    monkeypatch.setattr(time_scale, "apply", counted)
    monkeypatch.setattr(page_order, "apply", counted)
    assert pairing_warning(project, 600.0, "1s").endswith("; 119x is the largest time scale that keeps every SLO's "
                                                          "absent page first")
    assert compressed[1 / 600] == 1, compressed


def test_a_whole_time_scale_stays_whole(project: Project) -> None:
    """1 / (1/93) is 92.99999999999999 in floating point: 93x keeps every page first (119x does), and is said so."""
    assert largest_paired_scale(project, Profile(time_scale=1 / 93, scrape_interval="1s")) == 93
