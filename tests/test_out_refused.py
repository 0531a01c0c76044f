"""`obsgen build` replaces out/ whole: it refuses, before any work and with one error line, an out/ it did not
write (a mistyped --out naming the project or definitions/), a symbolic link (a clone's `out` pointing anywhere),
a file, and a lock beside out/ that is a link; and it never reads out/ through a link, a device or a pipe."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli.app import app
from generator.package.tree import read_regular

ROOT = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "definitions", project / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "NOTES.txt").write_text("precious\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "id_ed25519").write_text("a key\n")
    return project


def _out(case: str, tmp_path: Path, project: Path) -> Path:
    """The --out of each case, made as the case says."""
    if case == "the project":
        return project
    if case == "definitions":
        return project / "definitions"
    if case == "a link to a directory":
        (project / "out").symlink_to(tmp_path / "elsewhere")
    elif case == "a dangling link":
        (project / "out").symlink_to(tmp_path / "nowhere" / "out")
    elif case == "a file":
        (project / "out").write_text("not a directory\n")
    elif case == "a lock that is a link":
        (project / ".out.lock").symlink_to(tmp_path / "elsewhere" / "created")
    return project / "out"


CASES = ["the project", "definitions", "a link to a directory", "a dangling link", "a file", "a lock that is a link"]


@pytest.mark.parametrize("case", CASES)
def test_an_out_no_build_wrote_is_refused_and_left_as_it_was(case: str, tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = _out(case, tmp_path, project)
    before = _tree(tmp_path)

    result = CliRunner().invoke(app, ["build", "-q", "--definitions", str(project / "definitions"),
                                      "--out", str(out)])

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    assert _tree(tmp_path) == before
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "elsewhere" / "created").exists()


def test_an_empty_directory_and_an_earlier_build_are_replaced(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "out").mkdir()
    args = ["build", "-q", "--definitions", str(project / "definitions"), "--out", str(project / "out")]
    assert CliRunner().invoke(app, args).exit_code == 0
    (project / "out" / "stray.txt").write_text("removed by the next build, as a build's out/ holds only its files")
    assert CliRunner().invoke(app, [*args, "--full"]).exit_code == 0
    assert not (project / "out" / "stray.txt").exists() and (project / "NOTES.txt").exists()


def test_out_is_read_only_from_regular_files(tmp_path: Path) -> None:
    """A link in out/ to /dev/zero (or a pipe) made the build read until memory ran out (or wait for ever)."""
    regular = tmp_path / "regular.yml"
    regular.write_bytes(b"groups: []\n")
    (tmp_path / "zero.yml").symlink_to("/dev/zero")
    (tmp_path / "link.yml").symlink_to(regular)
    os.mkfifo(tmp_path / "pipe.yml")
    assert read_regular(regular) == b"groups: []\n" and read_regular(regular, 11) == b"groups: []\n"
    assert read_regular(regular, 5) is None  # another size: other bytes, not read
    for other in ("zero.yml", "link.yml", "pipe.yml", "missing.yml"):
        assert read_regular(tmp_path / other) is None, other
    assert read_regular(tmp_path) is None


def test_out_is_readable_by_the_servers_user_as_the_umask_allows(tmp_path: Path) -> None:
    """out/ was made from a staging directory of mode 0700: Prometheus or Grafana running as another user could
    not read what the build wrote."""
    project = _project(tmp_path)
    mask = os.umask(0o022)
    os.umask(mask)
    args = ["build", "-q", "--definitions", str(project / "definitions"), "--out", str(project / "out")]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert (project / "out").stat().st_mode & 0o777 == 0o777 & ~mask
    (project / "out" / "stray.txt").write_text("makes the next build swap a new tree in")
    assert CliRunner().invoke(app, [*args, "--full"]).exit_code == 0
    assert (project / "out").stat().st_mode & 0o777 == 0o777 & ~mask
