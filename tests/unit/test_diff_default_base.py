"""`obsgen diff` without a base compares with where HEAD left main, or master in a repository `git init` made
without init.defaultBranch, and says to name the base when neither exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.analysis.diff.sides import DiffError, default_base, describe


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


def test_the_default_base_is_shown_as_its_short_commit(tmp_path: Path) -> None:
    """The report's first line showed the merge-base as 'e25c500a4fda1ad5e03ade1e8b2341153a94ed62 (e25c500)'."""
    _repo(tmp_path, "master")
    short = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path, check=True, capture_output=True,
                           text=True).stdout.strip()
    assert describe(tmp_path, default_base(tmp_path)) == short
    assert describe(tmp_path, "master") == f"master ({short})"
