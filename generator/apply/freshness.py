"""Whether out/ is what the definitions build now.

apply ships out/ as it is; one built before the last edit of definitions/ (a pulled change, a forgotten
`obsgen build`) would put the old rules on the servers while the repository says otherwise. Building again
costs a build (well under a second for the shipped project); it reads the definitions beside out/ unless told
where they are, and says nothing when there are none (a deploy host given out/ alone).
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.core.errors import Level, ProblemsFound
from generator.core.listing import first_few
from generator.core.wording import counted
from generator.package.tree import read_tree


class StaleOut(ValueError):
    """out/ is not what the definitions build now (or they do not build); the message says which files."""


SHOWN = 5
"""Paths named in the message (those apply copies first); the rest are counted."""
APPLIED = ("prometheus/", "alertmanager/", "grafana/dashboards/")


def beside(out: Path) -> Path | None:
    """The definitions package beside out/ (the project's layout), None when there is none: beside the path given
    (project/out a link to a tree kept elsewhere is the project's), else beside where a link points."""
    for parent in (Path(os.path.normpath(out.absolute())).parent, out.resolve().parent):
        found = parent / "definitions"
        if (found / "__init__.py").is_file():
            return found
    return None


def _read_through(out: Path, seen: frozenset[Path] = frozenset()) -> dict[str, bytes]:
    """read_tree's files of out/, and those under each link to a directory in it (read_tree's walk lists a link but
    does not descend into it): out/ given to status or apply is the user's own tree, whose parts may be links (a
    deploy host's prometheus -> releases/N/prometheus). A link back to a directory above it is not read again."""
    seen = seen | {out.resolve()}
    found = read_tree(out)
    for path in sorted(out.rglob("*")):
        if path.is_symlink() and path.is_dir() and path.resolve() not in seen:
            prefix = path.relative_to(out).as_posix()
            found |= {f"{prefix}/{inside}": data for inside, data in _read_through(path, seen).items()}
    return found


def check_fresh(definitions: Path, out: Path) -> None:
    """StaleOut unless building definitions now writes out/'s exact bytes, no file more or less; ValueError (naming
    the file) when out/ holds one beyond read_tree's bounds."""
    from generator.build import build_files

    try:
        _, files = build_files(definitions, out)
    except ProblemsFound as problems:
        errors = [problem for problem in problems.problems if problem.level is Level.ERROR]
        first = errors[0] if errors else problems
        raise StaleOut(f"{definitions} does not build ({counted(len(errors), 'error')}; first: {first}), so {out} "
                       "cannot be shown to be current: fix them and run obsgen build") from None
    current = _read_through(out)
    differing = sorted((path for path in files.keys() | current.keys()
                        if path not in files or path not in current or bytes(files[path]) != current[path]),
                       key=lambda path: (not path.startswith(APPLIED), path))
    if differing:
        named = first_few(differing, SHOWN)
        raise StaleOut(f"{out} is stale: building {definitions} now changes "
                       f"{counted(len(differing), 'file')} ({named}): run obsgen build (and commit out/)")
