"""Each broken definition stops the build with one line naming its file:line, and leaves out/ alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "bad_definitions"
SUPPORT = ("_base.py", "_alert.py")
CASE_FILES = sorted(p for p in CASES.glob("*.py") if p.name not in SUPPORT and p.name != "__init__.py")


def _expected(case: Path) -> tuple[int, str]:
    for number, line in enumerate(case.read_text().splitlines(), start=1):
        if "# expect: " in line:
            return number, line.split("# expect: ", 1)[1].strip()
    raise AssertionError(f"{case.name} has no '# expect:' line")


def _obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASE_FILES) >= 15


def test_the_base_project_builds(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    for name in SUPPORT:
        shutil.copy(CASES / name, definitions / name)
    result = _obsgen("build", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_broken_definition_fails_with_file_line_and_keeps_out(case: Path, tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    for name in SUPPORT:
        shutil.copy(CASES / name, definitions / name)
    assert _obsgen("build", "--quiet", cwd=tmp_path).returncode == 0
    before = _snapshot(tmp_path / "out")
    shutil.copy(case, definitions / case.name)

    result = _obsgen("build", "--quiet", cwd=tmp_path)

    line, message = _expected(case)
    errors = [text for text in result.stderr.splitlines() if text.strip()]
    assert result.returncode != 0
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: definitions/{case.name}:{line}: "), errors[0]
    assert message in errors[0]
    assert _snapshot(tmp_path / "out") == before
