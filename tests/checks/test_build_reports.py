"""What a user sees from `obsgen build` and `obsgen check`: every problem at once, at the field's line, in the
format asked for; problems switched off said; out/ untouched on errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.checks.docs import pages, write_pages
from generator.checks.registry import catalogue
from tests.edits import edit

ROOT = Path(__file__).resolve().parents[2]
BASE = Path(__file__).parent / "base"


def obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped definitions, built once into out/."""
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions", ignore=shutil.ignore_patterns("__pycache__"))
    assert obsgen("build", "--quiet", cwd=tmp_path).returncode == 0
    return tmp_path


def test_three_mistakes_in_three_files_are_three_errors_at_the_wrong_fields(shipped: Path) -> None:
    definitions = shipped / "definitions"
    before = snapshot(shipped / "out")
    alerts, alerting = definitions / "alerts.py", definitions / "alerting.py"
    board = definitions / "dashboards_operations.py"
    edit(alerts, 'severity="critical"', 'severity="critcal"', first=True)
    edit(alerting, 'after="30m"', 'after="3x"')
    edit(board, 'expr=f"up{{', 'expr=f"upp{{')

    result = obsgen("build", "--quiet", cwd=shipped)

    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 1
    assert errors == [
        f"error: definitions/alerting.py:{line_of(alerting, '3x')}: EscalationLevel: after: '3x' is not a "
        "Prometheus duration (use e.g. 30s, 5m, 1h30m, 7d) [LD002]",
        f"error: definitions/alerts.py:{line_of(alerts, 'critcal')}: unknown severity 'critcal'; did you mean "
        "'critical'? [XR004]",
        f"error: definitions/dashboards_operations.py:{line_of(board, 'upp{{')}: dashboard Operations panel "
        "'System Overview' reads 'upp', which no Metric or RecordingRule defines; did you mean 'up'? (or list it in "
        "the dashboard's external_series) [XR011]",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(shipped / "out") == before


def test_a_duplicate_is_reported_in_the_module_just_added_naming_the_shipped_one(shipped: Path) -> None:
    added = shipped / "definitions" / "checkout.py"
    added.write_text((shipped / "definitions" / "alerts.py").read_text())  # the shipped alerts again

    result = obsgen("build", "--quiet", cwd=shipped)

    duplicates = [line for line in result.stderr.splitlines() if "[XR001]" in line]
    assert duplicates and all(line.startswith("error: definitions/checkout.py:") for line in duplicates)
    assert all("also defined at definitions/alerts.py:" in line for line in duplicates)


def _broken(tmp_path: Path, fields: str = "{'severity': 'page'}") -> Path:
    shutil.copytree(BASE, tmp_path / "definitions")
    (tmp_path / "definitions" / "case.py").write_text(
        f"from generator.model import Alert\nfrom ._alert import VALID\n\nBROKEN = Alert(**VALID | {fields})\n")
    return tmp_path


def test_github_format_writes_workflow_annotations(tmp_path: Path) -> None:
    result = obsgen("build", "--format", "github", cwd=_broken(tmp_path))
    assert result.returncode == 1
    assert "::error file=definitions/case.py,line=4,title=XR004::unknown severity 'page'" in result.stdout


def test_json_format_lists_every_problem_for_bots(tmp_path: Path) -> None:
    result = obsgen("build", "--format", "json", cwd=_broken(tmp_path))
    problems = json.loads(result.stdout)
    assert {"file": "definitions/case.py", "line": 4, "code": "XR004", "level": "error",
            "message": "unknown severity 'page'; defined: critical, warning"} in problems
    assert {p["level"] for p in problems} == {"error", "warning"}  # warnings too (NT005)


def test_a_check_switched_off_for_the_project_is_said_and_does_not_fail_the_build(tmp_path: Path) -> None:
    project = _broken(tmp_path, "{'expr': 'vendor_load > 4'}")
    (project / "definitions" / "checks.py").write_text(
        "from generator.model import CheckSettings\n\n"
        "CHECKS = CheckSettings(disable={'XR011': 'the vendor exports its series'})\n")
    result = obsgen("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert ("note: definitions/case.py:4: XR011 switched off (the vendor exports its series): alert LoadHigh reads "
            "'vendor_load'") in result.stderr


def test_a_check_the_build_relies_on_cannot_be_switched_off(tmp_path: Path) -> None:
    project = _broken(tmp_path)
    (project / "definitions" / "checks.py").write_text(
        "from generator.model import CheckSettings\n\nCHECKS = CheckSettings(disable={'XR004': 'try'})\n")
    result = obsgen("build", cwd=project)
    assert result.returncode == 1
    assert "error: definitions/case.py:4: XR004 cannot be switched off: the build relies on it [CK001]" in result.stderr


def test_check_list_prints_every_code(tmp_path: Path) -> None:
    result = obsgen("check", "--list", cwd=tmp_path)
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [entry.code for entry in catalogue()]
    assert {"LD002", "XR004", "XR011", "MP001", "GD001", "CF001", "CK001", "BD001"} <= set(listed)


def test_docs_checks_is_generated_from_the_docstrings() -> None:
    written = {path.name: path.read_text() for path in (ROOT / "docs" / "checks").glob("*.md")}
    assert written == pages(), "docs/checks/ is stale: run obsgen check --docs docs/checks"


def test_check_docs_replaces_a_page_planted_as_a_link_without_writing_through_it(tmp_path: Path) -> None:
    outside, pages_directory = tmp_path / "outside.md", tmp_path / "checks"
    outside.write_text("mine\n")
    pages_directory.mkdir()
    (pages_directory / "README.md").symlink_to(outside)
    write_pages(pages_directory)
    assert outside.read_text() == "mine\n"  # the old tree wrote the index over it
    assert (pages_directory / "README.md").read_text() == pages()["README.md"]
