"""A build profile assigned in definitions/ is refused where it is assigned: no build of out/ applies one.

A `Profile` (model/profile.py) changes a loaded project for one run: `obsgen up` makes its own for the stack it starts
(the releases installed there, its ports, its time scale), and tests pass theirs to derive.time_compression.apply.
`obsgen build` writes out/ from the definitions alone, so a profile written among them would change nothing, and out/
would be deployed without what its author meant it to change (LD005 refuses an override that matches nothing for
the same reason). A name starting with `_` is skipped, as the loader skips it for every definition.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from generator.core.errors import Level, Location, Problem
from generator.load.codes import PROFILE_IN_DEFINITIONS
from generator.load.locate import module_assignments
from generator.model.profile import Profile

T = TypeVar("T")


def held(value: Any, kind: type[T], depth: int = 0) -> Iterator[T]:
    """The objects of a kind a module variable holds, itself or in a list, tuple, set or dict, at most 3 deep: how the
    loader collects definitions, and this module profiles."""
    if isinstance(value, kind):
        yield value
    elif depth < 3 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from held(item, kind, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from held(item, kind, depth + 1)


def stray_profiles(modules: Sequence[ModuleType]) -> list[Problem]:
    """One error per module variable holding a profile, at the statement assigning it: once per profile, so one
    another module imports (`from .prod import PROD`) is reported where it is written."""
    problems: list[Problem] = []
    reported: set[int] = set()
    for module in modules:
        holding = {name: [id(profile) for profile in held(value, Profile)] for name, value in vars(module).items()
                   if not name.startswith("_")}
        holding = {name: ids for name, ids in holding.items() if ids}
        if not holding:
            continue
        path = Path(str(module.__file__))
        lines = module_assignments(path)
        for name, ids in holding.items():
            if name not in lines or reported.issuperset(ids):
                continue
            reported.update(ids)
            problems.append(Problem(Location(str(path), lines[name]), PROFILE_IN_DEFINITIONS, Level.ERROR,
                                    f"Profile {name} is applied by no `obsgen build`: out/ is built from the "
                                    "definitions alone, and a build profile is one `obsgen up` makes for the stack "
                                    "it starts (or a test passes to apply()); set what it changes on the definitions "
                                    "themselves (the Stack, its scrape jobs, channels), or keep a test's profile out "
                                    f"of definitions/ (or name it _{name})"))
    return problems
