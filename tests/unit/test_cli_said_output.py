"""Command output that quotes what a file holds (a diff's field values, a listing's names) cannot drive the
terminal: control characters are printed as Python writes them, line breaks and tabs kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.analysis.diff import compare
from generator.analysis.diff.changes import Change, FieldChange
from generator.analysis.diff.files import TouchedFiles
from generator.cli.gitops import diff_refs
from generator.cli.problems import said


def test_said_escapes_what_a_terminal_acts_on_but_line_breaks_and_tabs() -> None:
    assert said("a\tb\nx\x1b]0;t\x07y\u202e") == "a\tb\nx\\x1b]0;t\\x07y\\u202e"


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_a_diff_of_an_annotation_holding_escapes_prints_them_escaped(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, output_format: str
) -> None:
    # an imported annotation may hold ESC and BEL (ImportedAlert accepts 'x\x1b]0;t\x07y'): a title change
    change = Change("alerts", "changed", "Imported", "prometheus/rules/x.yml",
                    (FieldChange("annotations.summary", "old", "x\x1b]0;t\x07y"),))

    def diffed(repo: Path, base: str, head: str, relative: Path, draw: object) -> compare.DiffReport:
        return compare.DiffReport("base", "head", (change,), TouchedFiles((), (), ("prometheus/rules/x.yml",)))

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "definitions").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(compare, "diff", diffed)  # both sides built is the diff tests' (tests/gitops/test_diff.py)
    diff_refs("HEAD", "HEAD", Path("definitions"), output_format, False, None, "", "")
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed
    assert "x\\x1b]0;t\\x07y" in printed and "\n" in printed
