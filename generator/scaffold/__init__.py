"""`obsgen init`: a new team's project that builds and checks at once.

The project is the directory `project/` beside this module, copied with the team's name in place of
`my-team`: a Stack and its scrape jobs, one channel, the four severities and an escalation policy, one
alert with examples, one dashboard it links to, and a CI workflow that fails when out/ is stale.
"""

from __future__ import annotations

from pathlib import Path

from generator.model.identity import slug

TEMPLATE = Path(__file__).parent / "project"
PLACEHOLDER = "my-team"


class InitError(Exception):
    """The project cannot be written there."""


def template_files() -> list[Path]:
    """The starter project's files, relative to its root."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def create(directory: Path, name: str = "") -> list[Path]:
    """Write the starter project into directory (created if missing), named after it unless name is given; a file
    that already exists is never overwritten (InitError, nothing written)."""
    team = slug(name or directory.resolve().name) or PLACEHOLDER
    targets = {directory / relative: TEMPLATE / relative for relative in template_files()}
    existing = [target for target in targets if target.exists()]
    if existing:
        raise InitError(f"{existing[0]} already exists: obsgen init writes a new project and overwrites nothing")
    for target, template in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.read_text().replace(PLACEHOLDER, team))
    return list(targets)
