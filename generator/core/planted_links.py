"""Writing into a directory a checkout may hold (a project, a --out folder, docs/) without following a symbolic
link planted there: links are what git keeps, and a write through one lands wherever it points.

A command either refuses a link on the way (first_link, before it writes anything) or replaces the link with the
file (replace_text); a new file is created with O_EXCL (write_new), which follows no link made since.
"""

from __future__ import annotations

from pathlib import Path


def first_link(root: Path, *paths: Path) -> Path | None:
    """The first symbolic link on the way from root (not itself) down to each of paths, the path included."""
    for path in paths:
        parts = path.relative_to(root).parts
        link = next((step for step in (root.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1))
                     if step.is_symlink()), None)
        if link is not None:
            return link
    return None


def write_new(path: Path, text: str) -> None:
    """Create path holding text; FileExistsError if anything is there, a link (even to nothing) included."""
    with open(path, "x", encoding="utf-8") as file:
        file.write(text)


def replace_text(path: Path, text: str) -> None:
    """Write text to path in place of whatever file or link is there: a link is removed, never written through."""
    path.unlink(missing_ok=True)
    write_new(path, text)
