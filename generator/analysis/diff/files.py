"""The generated files a change touches."""

from __future__ import annotations

from dataclasses import dataclass

from generator.analysis.diff.changes import OutTree


@dataclass(frozen=True)
class TouchedFiles:
    """Paths under out/ added, removed and modified."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.added) + len(self.removed) + len(self.modified)


def touched_files(base: OutTree, head: OutTree) -> TouchedFiles:
    """Which generated files differ between the two sides."""
    old, new = base.files, head.files
    return TouchedFiles(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        modified=tuple(sorted(path for path in old.keys() & new.keys() if old[path] != new[path])),
    )
