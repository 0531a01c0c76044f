"""The base of every definition: validated at construction, immutable, and aware of where it was written."""

from __future__ import annotations

import os
import sys
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from generator.core.errors import UNKNOWN, Location

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def caller_location() -> Location:
    """The first stack frame outside the generator package: the definitions line that built an object."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and "pydantic" not in filename:
            return Location(filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return UNKNOWN


class Model(BaseModel):
    """Strict, frozen pydantic model: unknown fields are errors, values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Definition(Model):
    """A named object users write in definitions/; remembers the file:line that constructed it."""

    _location: Location = PrivateAttr(default_factory=lambda: UNKNOWN)  # one shared value: no deep copy per object

    def model_post_init(self, context: Any, /) -> None:
        self._location = caller_location()

    @property
    def location(self) -> Location:
        """Where this definition was written."""
        return self._location
