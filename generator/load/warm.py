"""Modules of definitions/ kept from one import to the next in a long-lived process (`obsgen build --watch`).

A module runs again when its file changed, when a definitions module it may import runs again, or when its
package's __init__ does; the others are kept as they ran, with the (immutable) definitions they made, so a
one-module edit runs one module. What a module may import is read from its bytecode: every name its code uses
(IMPORT_NAME and IMPORT_FROM arguments among them), so a name that merely looks like a module only costs a
rerun. Anything unusual runs everything again: a file other than Python source changed (a module may read
it), or the last import met a problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType

from generator.core.made_once import Memo
from generator.core.source_state import state
from generator.core.written_files import WrittenFiles


def names_used(code: CodeType) -> frozenset[str]:
    """Every name a module's code (functions and classes in it included) refers to."""
    found = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            found |= names_used(constant)
    return frozenset(found)


def _other_files(root: Path) -> dict[str, tuple[int, int]]:
    """Files under root that are not Python source or bytecode, with their state."""
    found = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name != "__pycache__"]
        for name in files:
            if not name.endswith(".py"):
                path = os.path.join(directory, name)
                found[path] = state(path)
    return found


@dataclass(frozen=True)
class _Ran:
    module: ModuleType
    file_state: tuple[int, int]
    names: frozenset[str]


@dataclass
class WarmModules:
    """What the last import of one definitions package ran, for the next import to keep what is unchanged."""

    ran: dict[str, _Ran] = field(default_factory=dict)
    others: dict[str, tuple[int, int]] = field(default_factory=dict)
    clean: bool = False
    """Whether the last import met no problem (otherwise nothing is kept)."""
    documents: Memo = field(default_factory=Memo)
    """What its last build made of the definitions it kept (core/made_once.py)."""
    written: WrittenFiles = field(default_factory=WrittenFiles)
    """What its last build left in out/, read back only where changed since (core/written_files.py)."""

    def reusable(self, root: Path, names: list[str]) -> dict[str, ModuleType]:
        """The modules of the last import that need not run again, by name."""
        others = _other_files(root)
        if not self.clean or others != self.others:
            self.others = others
            return {}
        kept = {name for name in names if name in self.ran
                and state(str(self.ran[name].module.__file__)) == self.ran[name].file_state}
        modules = set(names) | set(self.ran)  # removed modules too: importing one fails now
        changed = True
        while changed:  # drop modules depending on a module that runs again, until none is left to drop
            changed = False
            for name in sorted(kept):
                if any(other not in kept and _may_import(self.ran[name], name, other) for other in modules):
                    kept.discard(name)
                    changed = True
        return {name: self.ran[name].module for name in kept}

    def remember(self, name: str, module: ModuleType, file_state: tuple[int, int], code: CodeType) -> None:
        """A module that ran, with its file's state before it ran."""
        self.ran[name] = _Ran(module, file_state, names_used(code))


def _may_import(ran: _Ran, name: str, other: str) -> bool:
    """Whether module `name` may import module `other` (or needs it as its package)."""
    if name.startswith(other + "."):
        return True  # its package's __init__
    parts = other.split(".")
    return any(".".join(parts[start:]) in ran.names for start in range(len(parts)))
