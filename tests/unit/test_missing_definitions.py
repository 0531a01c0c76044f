"""`obsgen build` where there is no definitions/ says what to do, not only what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_build_outside_a_project_says_how_to_start_one(tmp_path: Path) -> None:
    """A newcomer's first `obsgen build` in an empty directory said "definitions directory does not exist"."""
    result = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: definitions: definitions directory does not exist (run obsgen in a "
                                    "project's directory, give --definitions DIR, or start a project with "
                                    "`obsgen init DIR`)"), result.stderr
