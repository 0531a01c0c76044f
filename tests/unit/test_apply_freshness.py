"""`obsgen apply` ships out/ only when it is what the definitions beside it build now: an out/ built before the
last edit is refused before any server is asked anything, and --allow-stale applies it anyway; `obsgen status`
counts it as a difference."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from generator.build import build
from generator.cli.app import app
from tests import servers
from tests.edits import CPU_HIGH_SOURCE, edit, set_cpu_high_threshold
from tests.gitops.helpers import copy_definitions


class Recorded(BaseHTTPRequestHandler):
    """A server that records every request and answers none usefully."""

    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorded.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project as users keep one: definitions/ and the out/ built from them, side by side."""
    build(copy_definitions(tmp_path), tmp_path / "out")
    return tmp_path


@pytest.fixture
def grafana() -> Iterator[str]:
    Recorded.paths = []
    with servers.serving(Recorded) as url:
        yield url


def _apply(out: Path, url: str, *extra: str) -> tuple[int, str]:
    """apply to a Grafana stand-in (the one server apply needs no directory for)."""
    result = CliRunner().invoke(app, ["apply", "--out", str(out), "--grafana-url", url, "--retries", "0", *extra])
    return result.exit_code, result.output


def _edit(project: Path) -> None:
    set_cpu_high_threshold(project / "definitions", 85)


def test_an_out_built_from_the_definitions_goes_on_to_the_servers(project: Path, grafana: str) -> None:
    _, output = _apply(project / "out", grafana, "--dry-run")
    assert "stale" not in output and Recorded.paths, output


def test_an_out_built_before_the_last_edit_is_refused_before_any_request(project: Path, grafana: str) -> None:
    _edit(project)
    code, output = _apply(project / "out", grafana)
    assert code == 2 and Recorded.paths == []
    assert "is stale: building" in output and "prometheus/rules/alerts.yml" in output, output
    assert "--allow-stale" in output


def test_allow_stale_applies_it_anyway(project: Path, grafana: str) -> None:
    _edit(project)
    _, output = _apply(project / "out", grafana, "--allow-stale", "--dry-run")
    assert "stale" not in output and Recorded.paths, output


def test_definitions_that_do_not_build_are_said_and_nothing_is_applied(project: Path, grafana: str) -> None:
    cpu_high_for = f'{CPU_HIGH_SOURCE}, **{{"for": '
    edit(project / "definitions/alerts.py", f'{cpu_high_for}"5m"}}', f'{cpu_high_for}"ninety"}}')  # no duration
    code, output = _apply(project / "out", grafana)
    assert code == 2 and Recorded.paths == []
    assert "does not build (1 error; first: " in output and "alerts.py:" in output, output


def test_out_given_alone_is_applied_as_it_is(tmp_path: Path, project: Path, grafana: str) -> None:
    _edit(project)
    alone = tmp_path / "deploy"
    alone.mkdir()
    (project / "out").rename(alone / "out")  # a deploy host holds out/ without the definitions
    _, output = _apply(alone / "out", grafana, "--dry-run")
    assert "stale" not in output and Recorded.paths, output


def test_status_says_a_stale_out_is_a_difference(project: Path, grafana: str) -> None:
    def status() -> str:
        return CliRunner().invoke(app, ["status", "--out", str(project / "out"), "--grafana-url", grafana,
                                        "--retries", "0"]).output

    assert "out          DRIFT" not in status()
    _edit(project)
    stale = status()
    assert "out          DRIFT" in stale and "is stale: building" in stale and "--allow-stale" not in stale, stale


def test_the_definitions_beside_a_linked_out_are_the_ones_checked(project: Path, grafana: str,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    """project/out a link to the built tree kept elsewhere (a deploy host's releases/N): the definitions beside the
    path given are what out/ must be built from, not those (none here) beside where the link points."""
    kept = tmp_path_factory.mktemp("releases") / "out"
    (project / "out").rename(kept)
    (project / "out").symlink_to(kept, target_is_directory=True)
    _edit(project)
    stale = CliRunner().invoke(app, ["status", "--out", str(project / "out"), "--grafana-url", grafana,
                                     "--retries", "0"]).output
    assert "out          DRIFT" in stale and "is stale: building" in stale, stale
