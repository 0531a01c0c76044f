"""A dashboard file is untrusted input to preview: its uid never names a path outside --out, and a malformed one is
one error line naming the file, never a traceback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from generator.cli.app import app
from generator.preview.render import render
from generator.preview.source import DashboardFile, PreviewError

PROMETHEUS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _stub(prometheus: str) -> None:
    PROMETHEUS["url"] = prometheus


PANEL = {"id": 1, "type": "timeseries", "title": "p", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "targets": [{"expr": "up", "refId": "A"}]}


class _Empty(BaseHTTPRequestHandler):
    """A Prometheus that answers every query with no series, and refuses any that calls refused_function as
    Prometheus refuses an unknown function."""

    def do_POST(self) -> None:
        posted = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        refused = b"refused_function" in posted
        body = (b'{"status":"error","errorType":"bad_data","error":"unknown function refused_function"}' if refused
                else b'{"status":"success","data":{"resultType":"matrix","result":[]}}')
        self.send_response(400 if refused else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def prometheus() -> Iterator[str]:
    """A stub Prometheus on loopback, so that a preview that is not refused gets as far as writing its files."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Empty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _preview(tmp_path: Path, document: object, name: str = "evil.json") -> tuple[Result, Path]:
    """preview run on a grafana/ holding one dashboard file, its --out three levels below tmp_path."""
    folder = tmp_path / "grafana" / "dashboards" / "General"
    folder.mkdir(parents=True)
    (folder / name).write_text(json.dumps(document))
    out = tmp_path / "a" / "b" / "preview"
    result = CliRunner().invoke(app, ["preview", "--grafana", str(tmp_path / "grafana"), "--out", str(out),
                                      "--prometheus", PROMETHEUS["url"]])
    return result, out


def _written(tmp_path: Path) -> list[str]:
    return sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.suffix in (".html", ".png"))


@pytest.mark.parametrize("uid", ["../../../PREVIEW_ESC", "{tmp}/PREVIEW_ABS", "a/b", "..", "x" * 41, 5])
def test_a_uid_that_is_not_a_grafana_uid_is_refused_and_nothing_is_written(tmp_path: Path, uid: object) -> None:
    uid = uid.format(tmp=tmp_path) if isinstance(uid, str) else uid  # an absolute path, kept inside the test's dir
    result, _ = _preview(tmp_path, {"uid": uid, "title": "Evil", "panels": [PANEL]})

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("error: ") and "evil.json" in result.stderr and "uid" in result.stderr
    assert _written(tmp_path) == []


def test_a_file_name_that_is_not_a_uid_is_refused_when_the_dashboard_has_none(tmp_path: Path) -> None:
    result, _ = _preview(tmp_path, {"title": "No uid", "panels": [PANEL]}, name="...json")

    assert result.exit_code == 1 and "uid" in result.stderr, result.output
    assert _written(tmp_path) == []


def test_render_contains_every_write_in_out_even_for_a_dashboard_never_checked(tmp_path: Path) -> None:
    hostile = DashboardFile(tmp_path / "x.json", "General", {"uid": "../../ESC", "panels": []})

    with pytest.raises(PreviewError, match="outside"):
        next(render([hostile], "http://127.0.0.1:9", tmp_path / "a" / "out", 0.0, 15.0))
    assert _written(tmp_path) == []


@pytest.mark.parametrize("link", ["General/fine_uid-1.html", "General/fine_uid-1.png", "General"])
def test_nothing_is_written_through_a_symbolic_link_planted_in_out(tmp_path: Path, link: str) -> None:
    out, victim = tmp_path / "a" / "b" / "preview", tmp_path / "victim"
    victim.mkdir()
    (victim / "mine.txt").write_text("mine")
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(victim if link == "General" else victim / "mine.txt")
    result, _ = _preview(tmp_path, {"uid": "fine_uid-1", "title": "Fine", "panels": [PANEL]}, name="fine.json")

    assert result.exit_code == 1 and "symbolic link" in result.stderr, result.output  # the old tree drew through it
    assert [(path.name, path.read_text()) for path in victim.iterdir()] == [("mine.txt", "mine")]


MALFORMED = {
    "panels not objects": {"uid": "a", "title": "A", "panels": [1, "x", None]},
    "targets a string": {"uid": "a", "title": "A", "panels": [{"type": "timeseries", "targets": "x", "gridPos": "y"}]},
    "gridPos a string": {"uid": "a", "title": "A", "panels": [{"type": "timeseries", "gridPos": "y"}]},
    "targets not objects": {"uid": "a", "title": "A", "panels": [{"type": "timeseries", "targets": [1]}]},
    "row panels a string": {"uid": "a", "title": "A", "panels": [{"type": "row", "panels": "x"}]},
    "templating a list": {"uid": "a", "title": "A", "panels": [], "templating": [1]},
    "variables not objects": {"uid": "a", "title": "A", "panels": [], "templating": {"list": ["x"]}},
    "variable current a string": {"uid": "a", "title": "A", "panels": [],
                                  "templating": {"list": [{"name": "v", "current": "x"}]}},
    "time a string": {"uid": "a", "title": "A", "panels": [PANEL], "time": "now-1h"},
    "options a string": {"uid": "a", "title": "A", "panels": [{"type": "text", "options": "x"}]},
    "not an object": [1, 2],
}


@pytest.mark.parametrize("document", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_dashboard_is_one_error_line_naming_the_file(tmp_path: Path, document: object) -> None:
    result, _ = _preview(tmp_path, document)

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: ") and "evil.json" in errors[0], result.stderr
    assert _written(tmp_path) == []


def test_a_well_formed_dashboard_is_drawn_inside_out(tmp_path: Path) -> None:
    result, out = _preview(tmp_path, {"uid": "fine_uid-1", "title": "Fine", "panels": [PANEL]}, name="fine.json")

    assert result.exit_code == 0, result.output
    folder = out.relative_to(tmp_path) / "General"
    assert _written(tmp_path) == [str(folder / f"fine_uid-1.{suffix}") for suffix in ("html", "png")]


def test_a_query_prometheus_refuses_is_a_warning_naming_the_panel_drawn_without_it(tmp_path: Path) -> None:
    refused = {**PANEL, "id": 2, "title": "Refused", "targets": [{"expr": "refused_function(up)", "refId": "B"}]}
    result, out = _preview(tmp_path, {"uid": "half", "title": "Half", "panels": [PANEL, refused]}, "half.json")

    assert result.exit_code == 0, result.output
    assert result.stderr == ("warning: Half: panel 'Refused', query B: unknown function refused_function\n")
    assert (out / "General" / "half.png").exists()


def test_a_page_taller_than_the_preview_photographs_is_one_error_naming_the_file(tmp_path: Path) -> None:
    """A panel 500 grid units down (19,000 px): before, Chromium photographed the whole page, however far down
    (gridPos.y of a million: 38 million px); now past TALLEST_PAGE, 16384 px, the preview says so."""
    far_down = {**PANEL, "gridPos": {"x": 0, "y": 500, "w": 12, "h": 8}}
    result, _ = _preview(tmp_path, {"uid": "tall", "title": "Tall", "panels": [PANEL, far_down]}, name="tall.json")

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.strip().startswith("error: ") and "tall.json: the page is 19" in result.stderr
    assert result.stderr.strip().endswith(" px tall, over the 16384 px the preview photographs: is a panel's "
                                          "gridPos.y far below the others?"), result.stderr


def test_a_prometheus_url_that_answers_nothing_is_one_error_naming_it_without_its_password(tmp_path: Path) -> None:
    """--prometheus is checked as Grafana's data source test checks it (an instant 1+1) before anything is drawn."""
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]  # bound, then closed on leaving: nothing listens there
    PROMETHEUS["url"] = f"http://viewer:s3cret@127.0.0.1:{port}"
    result, out = _preview(tmp_path, {"uid": "fine", "title": "Fine", "panels": [PANEL]}, "fine.json")
    assert result.exit_code == 1, result.output
    assert result.output == (f"error: cannot reach Prometheus at http://127.0.0.1:{port}: connection refused or "
                             "host unknown\n")
    assert not out.exists()
