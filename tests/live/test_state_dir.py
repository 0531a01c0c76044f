"""`obsgen up` empties its state directory: only one it made, never a project or a directory of other files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _up(cwd: Path, state_dir: str, definitions: str = "does-not-exist") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "up", "--free-ports", "--state-dir", state_dir,
                           "--definitions", definitions], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _project(root: Path) -> Path:
    for relative in ("definitions/alerts.py", "out/prometheus/prometheus.yml", "logs/app.log", "notes.txt"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("kept\n")
    return root


def test_the_project_directory_is_refused_and_keeps_its_out(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for state_dir in (".", str(tmp_path), "out"):
        result = _up(project, state_dir)
        assert result.returncode == 1, result.stderr
        assert "holds" in result.stderr and "state directory" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert all((project / p).read_text() == "kept\n"
               for p in ("out/prometheus/prometheus.yml", "logs/app.log", "definitions/alerts.py"))


def test_a_directory_of_other_files_is_refused_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "out").mkdir(parents=True)
    (home / "out/report.pdf").write_text("kept\n")
    (home / ".bashrc").write_text("kept\n")
    result = _up(tmp_path, str(home))
    assert result.returncode == 1
    assert "files `obsgen up` did not write (.bashrc)" in result.stderr, result.stderr
    assert (home / "out/report.pdf").read_text() == "kept\n"


def test_a_state_directory_up_made_is_emptied_and_marked(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy"  # what an obsgen from before the marker left after `down`
    for relative in ("out/prometheus/prometheus.yml", "logs/prometheus.log", "alertmanager-data/nflog",
                     "pagerduty-routing-key", "history.om"):
        (legacy / relative).parent.mkdir(parents=True, exist_ok=True)
        (legacy / relative).write_text("old\n")
    result = _up(tmp_path, str(legacy))
    assert "LD001" in result.stderr, result.stderr  # went on to read the (missing) definitions
    assert not (legacy / "out").exists() and not (legacy / "logs").exists()
    assert (legacy / ".obsgen-live").is_file()
    (legacy / "notes.txt").write_text("mine\n")  # marked: a file added since does not make it foreign
    assert "LD001" in _up(tmp_path, str(legacy)).stderr


def test_links_planted_among_the_stack_s_files_are_removed_not_followed(tmp_path: Path) -> None:
    state, elsewhere = tmp_path / "state", tmp_path / "elsewhere"
    (state / "out").mkdir(parents=True)
    (state / ".obsgen-live").write_text("")
    (elsewhere / "logs").mkdir(parents=True)
    (elsewhere / "logs/kept.log").write_text("kept\n")
    (elsewhere / "key").write_text("kept\n")
    (state / "logs").symlink_to(elsewhere / "logs")
    (state / "pagerduty-routing-key").symlink_to(elsewhere / "key")
    assert "LD001" in _up(tmp_path, str(state)).stderr  # (the old tree wrote the sink's key over elsewhere/key)
    assert (elsewhere / "logs/kept.log").read_text() == "kept\n" and (elsewhere / "key").read_text() == "kept\n"
    assert not (state / "logs").exists() and not (state / "pagerduty-routing-key").is_symlink()

