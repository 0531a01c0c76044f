"""With `--format json` a bot reads every error as JSON on stdout, where the command's problems go: a bad option or
value (exit 2), a missing out/, a definitions path that is not one, an out/ the build refuses (exit 1). Nothing is
said as text on stderr, which a bot does not parse. With `--format github` the same errors are workflow annotations
on stdout, which GitHub shows on the run's summary (text on stderr is only in its log)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.scaffold import create

CASES = {
    "build, unknown option": (["build", "--format", "json", "--bogus"], 2, "--bogus"),
    "build, unknown option before --format": (["build", "--bogus", "--format=json"], 2, "--bogus"),
    "build, value out of range": (["build", "--format", "json", "--time-scale", "0.5"], 2, "0.5"),
    "build, value not finite": (["build", "--format", "json", "--time-scale", "nan"], 2, "nan is not a finite"),
    "build, compressed over out/": (["build", "--format", "json", "--time-scale", "60"], 1, "must not replace out/"),
    "build, missing definitions": (["build", "--format", "json", "-d", "nowhere"], 1,
                                   "definitions directory does not exist"),
    "build, out/ it did not write": (["build", "--format", "json", "--out", "definitions"], 1, "definitions"),
    "check, unknown option": (["check", "--format", "json", "--bogus"], 2, "--bogus"),
    "check, missing out/": (["check", "nowhere", "--format", "json"], 1, "nowhere does not exist"),
    "check, missing definitions": (["check", "--format", "json", "-d", "nowhere"], 1,
                                   "definitions directory does not exist"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project `obsgen init` wrote, built (so only the case's own mistake is wrong)."""
    root = tmp_path_factory.mktemp("json-errors")
    create(root, "bots")
    built = subprocess.run([sys.executable, "-m", "generator", "build", "-q"], cwd=root, capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return root


@pytest.mark.parametrize("case", CASES)
def test_every_command_line_error_is_json_on_stdout(case: str, project: Path) -> None:
    arguments, status, said = CASES[case]
    result = subprocess.run([sys.executable, "-m", "generator", *arguments], cwd=project, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == status, result.stdout + result.stderr
    errors = json.loads(result.stdout)
    assert [error["level"] for error in errors] == ["error"] * len(errors) and errors, errors
    assert any(said in error["message"] for error in errors) and all(
        set(error) == {"file", "line", "code", "level", "message"} for error in errors), errors
    assert re.search(r"^(error|Error|Usage)", result.stderr, re.MULTILINE) is None, result.stderr


ANNOTATION = re.compile(r"::error(?: file=[^,:]*,line=\d+,)?(?: ?title=[a-z0-9]+)::(.+)", re.IGNORECASE)


@pytest.mark.parametrize("case", CASES)
def test_every_command_line_error_is_a_github_annotation(case: str, project: Path) -> None:
    arguments, status, said = CASES[case]
    arguments = [("github" if word == "json" else word.replace("=json", "=github")) for word in arguments]
    result = subprocess.run([sys.executable, "-m", "generator", *arguments], cwd=project, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == status, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    found = [ANNOTATION.fullmatch(line) for line in lines]
    assert lines and all(found), lines
    assert any(said in match.group(1) for match in found if match), lines
    assert re.search(r"^(error|Error|Usage)", result.stderr, re.MULTILINE) is None, result.stderr
