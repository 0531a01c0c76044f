"""A repository whose refs carry an out/ written by hand (a legacy `match:`, a matcher in another form), and
`obsgen diff` run in it as users run it: each ref's own generator/ builds that ref (analysis/diff/sides), here a
stand-in that copies the ref's out/ as it is, so the diff compares exactly the files a test wrote."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.gitops.diff_repo import commit_all, git, obsgen_diff

BUILDS_AS_WRITTEN = """import shutil, sys
from pathlib import Path
shutil.copytree(Path.cwd() / "out", sys.argv[sys.argv.index("--out") + 1])
"""
"""The stand-in generator's `python -m generator build ... --out DIR`: the ref's out/ copied to DIR."""
TEMPLATE = '{{{{ define "obsgen.links.alertmanager_version" }}}}{release}{{{{ end }}}}\n'


def hand_written_repo(directory: Path) -> Path:
    """An empty repository of a stand-in generator and a definitions/ directory (obsgen diff asks for one)."""
    (directory / "generator").mkdir(parents=True)
    (directory / "generator/__init__.py").write_text("")
    (directory / "generator/__main__.py").write_text(BUILDS_AS_WRITTEN)
    (directory / "definitions").mkdir()
    (directory / "definitions/README").write_text("out/ is written by hand here\n")
    git(directory, "init", "-q", "-b", "main")
    return directory


def commit_alertmanager(repo: Path, config: dict[str, Any], release: str = "0.25.0") -> None:
    """Commit out/alertmanager/alertmanager.yml as given, its templates declaring `release`."""
    (repo / "out/alertmanager/templates").mkdir(parents=True, exist_ok=True)
    (repo / "out/alertmanager/alertmanager.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (repo / "out/alertmanager/templates/obsgen.tmpl").write_text(TEMPLATE.format(release=release))
    commit_all(repo, "alertmanager.yml")


def diff_commits(repo: Path) -> subprocess.CompletedProcess[str]:
    """`obsgen diff HEAD~1 HEAD --exit-code` run from definitions/ (so the test's process, not the repository's
    stand-in, is the obsgen that compares)."""
    return obsgen_diff(repo / "definitions", "HEAD~1", "HEAD", "--exit-code", "--definitions", ".")
