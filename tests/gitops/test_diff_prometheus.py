"""`obsgen diff --images --prometheus URL`: the changed dashboards drawn from the user's own Prometheus, at the time
--at says; a URL that does not answer as Prometheus is an error naming it, before anything is built or drawn."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.analysis.diff.changes import OutTree
from generator.analysis.diff.compare import Drawing, Failure
from generator.cli.diff_images import drawer, drawn_at
from generator.live.ports import free_port
from tests.conftest import DEMO_NOW, PICTURE_NOW, ROOT
from tests.edits import edit
from tests.gitops.diff_repo import commit_all, definitions_repo, git, obsgen_diff
from tests.preview_spec import page_spec

EXECUTIVE = "definitions/dashboards_executive.py"
EXECUTIVE_JSON = "grafana/dashboards/Business/executive.json"
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
                         "--prometheus", demo_prometheus.replace("http://", "http://viewer:s3cret@"),
                         "--at", "2026-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    # the reviewer reads whose data the pictures show, and up to when; never the password
    assert (f"Data from Prometheus at `{demo_prometheus}`; each dashboard over its own time range ending 2026-01-01 "
            "00:00:00 UTC (set by --at).") in result.stdout
    assert "s3cret" not in result.stdout + result.stderr
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


def _executive_tree(root: Path, last_week: str) -> OutTree:
    """out/ holding the shipped Grafana provisioning and Executive, its Revenue Trend's query B set to last_week."""
    shutil.copytree(ROOT / "out/grafana/provisioning", root / "grafana/provisioning")
    dashboard = json.loads((ROOT / "out" / EXECUTIVE_JSON).read_text())
    [trend] = [p for p in dashboard["panels"] if p.get("title") == "Revenue Trend"]
    [query] = [t for t in trend["targets"] if t["refId"] == "B"]
    query["expr"] = last_week
    (root / EXECUTIVE_JSON).parent.mkdir(parents=True)
    (root / EXECUTIVE_JSON).write_text(json.dumps(dashboard))
    return OutTree(root)


def test_a_panel_prometheus_refuses_makes_its_picture_incomplete_and_says_why(tmp_path: Path,
                                                                              demo_prometheus: str) -> None:
    # a dashboard written for a newer Prometheus: sort_by_label (2.49, experimental) is unknown to this one
    newer = f'sort_by_label(sum by (job) ({LAST_WEEK}), "job")'
    base, head = _executive_tree(tmp_path / "base", f"sum({LAST_WEEK})"), _executive_tree(tmp_path / "head", newer)
    with_password = demo_prometheus.replace("http://", "http://viewer:s3cret@")
    drawing = drawer(tmp_path / "images", with_password, Path("definitions"), PICTURE_NOW)(base, head)
    refused = requests.post(f"{demo_prometheus}/api/v1/query_range", timeout=10, data={
        "query": newer, "start": PICTURE_NOW - 3600, "end": PICTURE_NOW, "step": 60}).json()  # as the panel asks it
    assert refused["status"] == "error" and "sort_by_label" in refused["error"], refused
    [picture] = drawing.pictures
    assert picture.failures == (Failure("after, panel 'Revenue Trend', query B", refused["error"]),)
    assert (picture.before, picture.after) == (tmp_path / "images/before/Business/executive.png",
                                               tmp_path / "images/after/Business/executive.png")
    # the report names the Prometheus asked, without its password, and the time --at gave
    assert drawing == Drawing((picture,), demo_prometheus, PICTURE_NOW, until_given=True)


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
