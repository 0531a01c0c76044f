"""A runbook's lines as an operator pastes them: the one line that starts so, run by `sh` in an environment that
knows nothing of any stack (no ALERTMANAGER_* or OBSGEN_* variables) with this tree's `obsgen` on PATH."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def runbook_line(page: str, start: str) -> str:
    """The page's one line starting so."""
    line, = re.findall(rf"^{re.escape(start)}.*$", page, re.MULTILINE)
    return str(line)


def shell_environment(home: Path) -> dict[str, str]:
    """The environment of a shell at `home`: this process's without what tells obsgen or amtool where a stack is,
    and home/bin/obsgen (this tree's) first on PATH."""
    (home / "bin").mkdir()
    obsgen = home / "bin/obsgen"
    obsgen.write_text(f'#!/bin/sh\nexec {sys.executable} -m generator "$@"\n')
    obsgen.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ALERTMANAGER_", "OBSGEN_"))}
    env.update(PATH=f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT), HOME=str(home))
    return env
