"""`obsgen init`: a new team's project that builds and checks at once.

The project is the directory `project/` beside this module, copied with the team's name in place of
`my-team`: a Stack and its scrape jobs, one channel, the four severities and an escalation policy, one
alert with examples, one dashboard it links to, a CI workflow that fails when out/ is stale, and a .gitignore
of what obsgen keeps beside the project (caches, locks, previews, a live stack's state).
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.core.planted_links import first_link, write_new
from generator.model.identity import slug

TEMPLATE = Path(__file__).parent / "project"
PLACEHOLDER = "my-team"


class InitError(Exception):
    """The project cannot be written there."""


def template_files() -> list[Path]:
    """The starter project's files, relative to its root."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def _refused(directory: Path, relative: Path) -> str | None:
    """Why the project's file at relative cannot be written into directory: it exists (a symbolic link too, even
    one to nothing, which a write would follow out of the directory), or a folder on its way is a link or a file."""
    target = directory / relative
    if os.path.lexists(target):
        return f"{target} already exists: obsgen init writes a new project and overwrites nothing"
    if (link := first_link(directory, target.parent)) is not None:
        return f"{link} is a symbolic link: obsgen init writes only inside {directory}"
    for folder in reversed(relative.parents[:-1]):  # (parents[-1] is ".": directory itself)
        if os.path.lexists(directory / folder) and not (directory / folder).is_dir():
            return f"{directory / folder} is not a directory: obsgen init writes a new project and overwrites nothing"
    return None


def create(directory: Path, name: str = "") -> list[Path]:
    """Write the starter project into directory (created if missing), named after it unless name is given; a file
    that already exists is never overwritten, nor written through a symbolic link (InitError, nothing written)."""
    team = slug(name or directory.resolve().name) or PLACEHOLDER
    relatives = template_files()
    refused = next((why for relative in relatives if (why := _refused(directory, relative))), None)
    if refused:
        raise InitError(refused)
    for relative in relatives:
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, (TEMPLATE / relative).read_text().replace(PLACEHOLDER, team))  # (a link made since: refused)
    return [directory / relative for relative in relatives]
