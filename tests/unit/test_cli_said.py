"""A command's warnings and errors that are no problem of the definitions (a time scale, a refused panel query, an
import note; a diff that cannot run, an acknowledgement refused) come from one place each: escaped as problems are,
since they quote what a server or a file said, and, under `--format github`, warnings are workflow annotations the
runner shows on the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli.options import ASKED, say_error, warn
from generator.cli.problems import Format

ROOT = Path(__file__).resolve().parents[2]


def test_a_warning_cannot_drive_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """A Prometheus' error quoted in a preview warning may carry escape sequences and line breaks: printed as
    Python writes them, not acted on, and on one line."""
    warn("panel 'Errors', query A: bad\x1b[2J\nerror: forged")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "warning: panel 'Errors', query A: bad\\x1b[2J\\nerror: forged\n"


def test_under_github_a_warning_is_an_annotation(capsys: pytest.CaptureFixture[str]) -> None:
    asked = ASKED.set(Format.GITHUB)
    try:
        warn("100%: scale\ntoo large")
    finally:
        ASKED.reset(asked)
    assert capsys.readouterr().out == "::warning title=warning::100%25: scale%0Atoo large\n"


def test_a_build_under_github_annotates_its_time_scale_warning(tmp_path: Path) -> None:
    """The old build printed a plain `warning:` line on stderr, which a workflow run does not show."""
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--time-scale", "600", "--format", "github",
                             "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("::warning title=warning::--time-scale ")]
    assert "warning: --time-scale" not in result.stderr


def test_an_error_cannot_drive_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """An alert name Alertmanager reports, quoted in `obsgen ack`'s refusal: escaped; a line break stays one, as in
    a problem's message."""
    say_error("nothing acknowledged: did you mean Api\x1b]0;pwned\x07Down?\n  (give --force)")
    assert capsys.readouterr().err == ("error: nothing acknowledged: did you mean Api\\x1b]0;pwned\\x07Down?\n"
                                       "  (give --force)\n")


def test_diff_images_without_the_preview_extra_says_how_to_install_it(tmp_path: Path) -> None:
    """The old diff imported the pictures' code (websockets) before asking for the extra: a traceback."""
    blocked = ("import sys\nfor name in ('websockets', 'markdown_it'): sys.modules[name] = None\n"
               f"sys.argv = ['obsgen', 'diff', '--images', {str(tmp_path / 'pictures')!r}]\n"
               "from generator.cli.entry import main\nmain()\n")
    result = subprocess.run([sys.executable, "-c", blocked], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr == "error: the preview needs its extra: pip install 'obsgen[preview]'\n"
