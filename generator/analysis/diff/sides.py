"""The two sides of a diff: a git ref (or the work tree) built into a temporary out/ without touching the repo.

A ref is exported with `git archive` into a temporary directory and built there by a fresh
`python -m generator` whose working directory is that export: when the ref carries its own
generator/ package, that version builds it (a pull request changing the generator is compared
fairly); otherwise the installed obsgen does. The work tree is built the same way into a temporary
out/, so the repository, its index and its out/ are never written.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

WORK_TREE = ""  # the ref that means "the files as they are now"


class DiffError(Exception):
    """A side cannot be resolved or built; the message says which and why."""


def git(repo: Path, *args: str) -> str:
    """Output of a git command in repo; DiffError with git's message when it fails."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def repository(start: Path) -> Path:
    """The top directory of the git repository holding start."""
    return Path(git(start, "rev-parse", "--show-toplevel"))


DEFAULT_BRANCHES = ("main", "master")
"""The branches a change is compared with when no base is given, the first that exists: main, or master (what
`git init` names the first branch unless init.defaultBranch says otherwise)."""


def default_base(repo: Path) -> str:
    """Where the current branch left main (or master): `git merge-base main HEAD`; DiffError saying to name the
    base when the repository has neither branch."""
    for branch in DEFAULT_BRANCHES:
        try:
            git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
        except DiffError:  # no such branch
            continue
        return git(repo, "merge-base", branch, "HEAD")
    raise DiffError(f"{repo} has no branch main or master to compare with: name the base, "
                    "e.g. `obsgen diff origin/main` or `obsgen diff HEAD~1`")


def describe(repo: Path, ref: str) -> str:
    """How a side is shown: abbreviated commit and the ref as given, or "work tree"."""
    if ref == WORK_TREE:
        return "work tree"
    commit = git(repo, "rev-parse", "--short", f"{ref}^{{commit}}")
    return commit if commit.startswith(ref) or ref.startswith(commit) else f"{ref} ({commit})"


@dataclass(frozen=True)
class Side:
    """One side to build: where its code and definitions are, and where its out/ goes."""

    label: str
    root: Path
    definitions: Path
    out: Path


def export(repo: Path, ref: str, into: Path) -> Path:
    """The tree of a commit, written under into (no checkout, no worktree entry)."""
    commit = git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=repo, capture_output=True, timeout=300)
    if archive.returncode != 0:
        raise DiffError(f"git archive {ref}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(into, filter="data")
        except tarfile.FilterError as error:  # a link to an absolute path or out of the tree: never followed
            raise DiffError(f"{describe(repo, ref)}: {error}: obsgen diff writes each side's tree where it "
                            "builds it and follows no link out of it") from None
    return into


def prepare(repo: Path, ref: str, definitions: Path, scratch: Path, name: str) -> Side:
    """A side for ref ("" for the work tree); definitions is relative to the repository's top."""
    root = repo if ref == WORK_TREE else export(repo, ref, scratch / f"{name}-tree")
    if not (root / definitions).is_dir():
        raise DiffError(f"{describe(repo, ref)} has no {definitions}/ directory")
    return Side(describe(repo, ref), root, root / definitions, scratch / f"{name}-out")


def _command(side: Side) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if (side.root / "generator").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(side.root), env.get("PYTHONPATH"))))
    argv = [sys.executable, "-m", "generator", "build", "--quiet", "--definitions", str(side.definitions),
            "--out", str(side.out)]
    return argv, env


def build_sides(*sides: Side) -> None:
    """Build every side at once, each in its own process; DiffError naming a side that does not build."""
    running = []
    for side in sides:
        argv, env = _command(side)
        running.append((side, subprocess.Popen(argv, cwd=side.root, env=env, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True)))
    failures = []
    for side, process in running:
        _stdout, stderr = process.communicate(timeout=600)
        if process.returncode != 0:
            failures.append(f"{side.label} does not build: {stderr.strip()}")
    if failures:
        raise DiffError("\n".join(failures))
