"""`pip install obsgen` gives a compiler that builds and checks without the exporter's numerical and SQL stack."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "sqlalchemy", "pandas")
WITHOUT_HEAVY = ("import sys\n"
                 f"for name in {HEAVY!r}:\n"
                 "    sys.modules[name] = None  # importing it now raises ImportError, as if not installed\n"
                 "from generator.cli.entry import main\n"
                 "sys.argv[0] = 'obsgen'\n"
                 "main()\n")


def _requirement_names(requirements: list[str]) -> set[str]:
    return {req.split("[")[0].split("=")[0].split("<")[0].split(">")[0].strip().lower() for req in requirements}


def test_the_core_requirements_hold_no_numerical_or_sql_stack() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not _requirement_names(project["dependencies"]) & set(HEAVY)
    assert {"numpy", "sqlalchemy"} <= _requirement_names(project["optional-dependencies"]["exporter"])


BOMBED_URLLIB3 = ("1.26.20", "2.5.0", "2.6.0", "2.6.2", "2.6.3")
"""urllib3 releases with a decompression-bomb advisory: before 2.6.0 a streamed piece decoded whole
(CVE-2025-66471), before 2.6.3 a redirect's body decoded whole while drained (CVE-2026-21441), before 2.7.0 a
partly read body decoded whole by drain_conn (CVE-2026-44432)."""


def test_urllib3_is_declared_past_every_decompression_bomb_fix() -> None:
    """obsgen imports urllib3 itself, and requests alone would accept any release from 1.26. obsgen's own decoding
    (core/http_decoding) bounds what it decodes whichever is installed, but urllib3 drains retried answers itself."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(text) for text in project["dependencies"] if Requirement(text).name == "urllib3"]
    assert len(declared) == 1, project["dependencies"]
    assert not list(declared[0].specifier.filter(BOMBED_URLLIB3)), str(declared[0])
    assert declared[0].specifier.contains(version("urllib3")), f"installed {version('urllib3')}, declared {declared[0]}"


def _obsgen_without_heavy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_HEAVY, *args], cwd=cwd, capture_output=True, text=True)


def test_build_and_check_run_without_numpy_or_sqlalchemy(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests/checks/base", tmp_path / "definitions")
    built = _obsgen_without_heavy("build", "--quiet", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    checked = _obsgen_without_heavy("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_exporter_without_its_extra_says_how_to_install_it(tmp_path: Path) -> None:
    result = _obsgen_without_heavy("exporter", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: the sidecar exporter needs its extra: pip install 'obsgen[exporter]'"
