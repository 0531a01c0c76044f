"""`obsgen diff` without a base compares with where HEAD left main, or master in a repository `git init` made
without init.defaultBranch, and says to name the base when neither exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.analysis.diff.sides import DiffError, default_base


def _repo(directory: Path, branch: str) -> str:
    """A repository of one commit on branch; that commit's id."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=directory,
                              check=True, capture_output=True, text=True).stdout.strip()
    git("init", "-q", "-b", branch)
    (directory / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("commit", "-q", "-m", "first")
    return git("rev-parse", "HEAD")


@pytest.mark.parametrize("branch", ["main", "master"])
def test_the_base_is_the_merge_base_with_main_or_master(tmp_path: Path, branch: str) -> None:
    commit = _repo(tmp_path, branch)
    assert default_base(tmp_path) == commit


def test_a_repository_with_neither_says_to_name_the_base(tmp_path: Path) -> None:
    _repo(tmp_path, "trunk")
    with pytest.raises(DiffError, match=r"no branch main or master to compare with: name the base, e\.g\. "):
        default_base(tmp_path)
