"""The live stack declares the Alertmanager release it runs, as the binary's --version prints it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator.build import check_releases
from generator.core.releases import ordered, parse
from generator.derive.time_compression import apply
from generator.live import releases
from generator.live.stack import Options, _ports, _profile
from generator.model.profile import Profile
from generator.model.project import Project


@pytest.mark.parametrize(("printed", "release"), [
    ("alertmanager, version 0.25.0 (branch: debian/sid, revision: 0.25.0-1+b4)\n  build user: x", "0.25.0"),
    ("alertmanager, version 0.28.0-rc.0 (branch: HEAD, revision: 1e9ba3b)", "0.28.0"),
    ("Alertmanager version: v0.34.1", "0.34.1"),
    ("alertmanager, version 00.32.10 (branch: main)", "0.32.10"),
    ("0.25.0", "0.25.0"),  # /api/v2/status versionInfo.version
])
def test_a_release_is_read_from_what_version_prints(printed: str, release: str) -> None:
    assert parse(printed) == release


@pytest.mark.parametrize("printed", ["", "alertmanager, version unknown", "flag provided but not defined: -version",
                                     "go version go1.19.8"])
def test_no_release_is_a_clear_error(printed: str) -> None:
    with pytest.raises(ValueError, match="no version in"):
        parse(printed)


def test_a_binary_that_tells_no_release_is_refused_by_name() -> None:
    with pytest.raises(RuntimeError, match=r"`true --version` \(exit 0\) tells no release"):
        releases.installed("true")
    with pytest.raises(RuntimeError, match="did not run"):
        releases.installed("/nonexistent/alertmanager")


def _installed(binary: str) -> str:
    printed = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return parse(printed.stdout + printed.stderr)


def _live(project: Project) -> Project:
    options = Options(free_ports=True)
    return apply(project, _profile(project, options, _ports(options), {"prometheus", "alertmanager"}))


@pytest.mark.skipif(shutil.which(releases.ALERTMANAGER) is None, reason="prometheus-alertmanager not installed")
def test_the_live_build_declares_the_installed_alertmanager(project: Project) -> None:
    installed = _installed(releases.ALERTMANAGER)
    assert _live(project).stack.alertmanager_version == installed
    assert project.stack.alertmanager_version != installed or installed == "0.34.1"  # the definitions say another


def test_a_profile_refuses_a_release_that_is_not_x_y_z() -> None:
    with pytest.raises(ValueError, match=r"alertmanager version 'v0\.25' is not X\.Y\.Z"):
        Profile(alertmanager_version="v0.25")


@pytest.mark.skipif(shutil.which(releases.PROMETHEUS) is None, reason="prometheus not installed")
def test_the_live_build_declares_the_installed_prometheus_and_is_judged_for_it(project: Project) -> None:
    """Debian's 2.42 drops the alerts it sends after a reload (NT006), which the definitions' 3.15 does not."""
    installed, live = _installed(releases.PROMETHEUS), _live(project)
    assert live.stack.prometheus_version == installed
    judged = {problem.code: problem.message for problem in check_releases(live).problems}
    assert (f"Prometheus {installed} reloads" in judged.get("NT006", "")) == (ordered(installed) < (3, 0, 0))
    assert "NT006" not in {problem.code for problem in check_releases(project).problems}


def test_a_profile_refuses_a_prometheus_release_that_is_not_x_y_z() -> None:
    with pytest.raises(ValueError, match=r"prometheus version '2\.42' is not X\.Y\.Z"):
        Profile(prometheus_version="2.42")
