"""`obsgen diff --images --prometheus URL`: the changed dashboards drawn from the user's own Prometheus, at the time
--at says; a URL that does not answer as Prometheus is an error naming it, before anything is built or drawn."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.cli.diff_images import drawn_at
from generator.live.ports import free_port
from tests.conftest import DEMO_NOW
from tests.gitops.diff_repo import commit_all, definitions_repo, edit, git, obsgen_diff
from tests.preview_spec import page_spec

EXECUTIVE = "definitions/dashboards_executive.py"
LAST_WEEK_SUM, LAST_WEEK_MAX = 'f"sum({revenue_hourly_last_week.name})"', 'f"max({revenue_hourly_last_week.name})"'
LAST_WEEK = "job:revenue:increase1h_offset1w"


def _trend(page: Path) -> dict[str, Any]:
    """The data the page draws in its Revenue Trend panel."""
    spec = page_spec(page.read_text())
    [panel] = [p for p in spec["panels"] if p.get("title") == "Revenue Trend"]
    return dict(spec["data"][str(panel["id"])])


def _instant(prometheus: str, expr: str, at: float) -> float:
    answer = requests.get(f"{prometheus}/api/v1/query", params={"query": expr, "time": f"{at:.3f}"},
                          timeout=10).json()
    [sample] = answer["data"]["result"]
    return float(sample["value"][1])


def test_the_changed_dashboard_is_drawn_from_the_given_prometheus_at_the_time_given(
        tmp_path: Path, demo_prometheus: str) -> None:
    repo = definitions_repo(tmp_path / "repo")
    edit(repo / EXECUTIVE, LAST_WEEK_SUM, LAST_WEEK_MAX)
    commit_all(repo, "revenue against the busiest shop's same hour last week")
    status = git(repo, "status", "--porcelain", "--ignored")
    images = tmp_path / "images"
    result = obsgen_diff(repo, "HEAD~1", "HEAD", "--format", "markdown", "--images", str(images),
                         "--prometheus", demo_prometheus, "--at", "2026-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    # only the changed dashboard, both sides, nothing else; the repository (and so out/) untouched
    drawn = sorted(path.relative_to(images).as_posix() for path in images.rglob("*") if path.is_file())
    assert drawn == ["after/Business/executive.html", "after/Business/executive.png",
                     "before/Business/executive.html", "before/Business/executive.png"]
    assert f"![Executive after]({images}/after/Business/executive.png)" in result.stdout
    assert git(repo, "status", "--porcelain", "--ignored") == status and not (repo / "out").exists()
    # each side drew its own query's answer from that Prometheus, over the panel's 24 hours up to --at
    for side, aggregate in (("before", "sum"), ("after", "max")):
        assert (images / side / "Business/executive.png").read_bytes().startswith(b"\x89PNG")
        data = _trend(images / side / "Business/executive.html")
        assert not data["errors"], data["errors"]
        first, last = data["time"][0], data["time"][-1]
        assert DEMO_NOW - 86400 <= first < DEMO_NOW - 86400 + 600 and DEMO_NOW - 600 < last <= DEMO_NOW, (first, last)
        [last_week] = [s for s in data["series"] if s["refId"] == "B"]
        drawn_at_times = [(t, v) for t, v in zip(data["time"], last_week["values"], strict=True) if v is not None]
        assert len(drawn_at_times) > len(data["time"]) // 2, side  # the demo history covers the whole day
        for at, value in (drawn_at_times[0], drawn_at_times[-1]):
            assert value == _instant(demo_prometheus, f"{aggregate}({LAST_WEEK})", at), (side, at)


@pytest.fixture(scope="module")
def changed_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose work tree changes a dashboard's query, so that --images has something to draw."""
    repo = definitions_repo(tmp_path_factory.mktemp("changed"))
    edit(repo / EXECUTIVE, LAST_WEEK_SUM, LAST_WEEK_MAX)
    return repo


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose connections are accepted (by the kernel, into the backlog) and never answered: what a
    hung server or a proxy in front of a stuck one looks like from the client."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def _refused(changed_repo: Path, images: Path, url: str) -> str:
    result = obsgen_diff(changed_repo, "--images", str(images), "--prometheus", url, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not images.exists() and not (changed_repo / "out").exists()
    return result.stderr


def test_a_prometheus_that_is_down_is_an_error_naming_it_without_its_password(changed_repo: Path,
                                                                               tmp_path: Path) -> None:
    port = free_port()
    error = _refused(changed_repo, tmp_path / "images", f"http://viewer:s3cret@127.0.0.1:{port}")
    assert error == (f"error: cannot reach Prometheus at http://127.0.0.1:{port}: connection refused or host "
                     "unknown\n")


def test_a_prometheus_that_never_answers_is_an_error_within_seconds(changed_repo: Path, tmp_path: Path,
                                                                    silent_port: int) -> None:
    # the check's own 5 s deadline, not a panel query's 60 s (the subprocess' timeout), says so
    error = _refused(changed_repo, tmp_path / "images", f"http://127.0.0.1:{silent_port}")
    assert error == f"error: Prometheus at http://127.0.0.1:{silent_port} did not answer the query 1+1 within 5 s\n"


def test_a_url_that_is_not_prometheus_api_is_an_error_saying_what_it_answered(changed_repo: Path, tmp_path: Path,
                                                                              demo_prometheus: str) -> None:
    # a real Prometheus, one path below its API: as a Prometheus behind a proxy's prefix, the prefix forgotten
    error = _refused(changed_repo, tmp_path / "images", f"{demo_prometheus}/prometheus")
    assert error == (f"error: {demo_prometheus}/prometheus does not answer as Prometheus: POST /api/v1/query (1+1) "
                     "answered HTTP 404\n")


@pytest.mark.parametrize(("text", "seconds"), [("1767225600", DEMO_NOW), ("2026-01-01T00:00:00Z", DEMO_NOW),
                                               ("2026-01-01T01:30:00+01:30", DEMO_NOW), ("", None)])
def test_at_reads_unix_seconds_and_rfc3339(text: str, seconds: float | None) -> None:
    assert drawn_at(text) == seconds


@pytest.mark.parametrize(("text", "why"), [("yesterday", "not Unix seconds nor an RFC 3339 time"),
                                           ("2026-01-01T00:00:00", "say the time zone"),
                                           ("nan", "not Unix seconds nor an RFC 3339 time")])
def test_at_refuses_what_is_not_a_time(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        drawn_at(text)
