"""A definitions repository as users keep one, and `obsgen diff` run in it as users run it (the diff tests')."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.gitops.helpers import copy_definitions


def git(repo: Path, *args: str) -> str:
    """git's output in repo, as a test user."""
    return subprocess.run(["git", "-c", "user.name=obsgen test", "-c", "user.email=test@example.com", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str) -> None:
    """Commit everything in repo's work tree."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def obsgen_diff(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`obsgen diff ARGS` run in repo."""
    return subprocess.run([sys.executable, "-m", "generator", "diff", *args], cwd=repo, capture_output=True,
                          text=True, timeout=timeout)


def definitions_repo(directory: Path) -> Path:
    """directory as a repository of the shipped definitions (obsgen installed, not vendored), one commit on main."""
    copy_definitions(directory)
    git(directory, "init", "-q", "-b", "main")
    commit_all(directory, "the plan's platform")
    return directory
