"""The base of every definition: validated at construction, immutable, and aware of where it was written."""

import os
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PrivateAttr

from generator.core.errors import UNKNOWN, Location

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

Site = tuple[CodeType, int]
"""The code and bytecode offset of the call that constructed a definition: its exact source span, found on demand."""


def _definitions_frame() -> Any:
    """The first stack frame outside the generator package and pydantic: the definitions code building an object."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and "pydantic" not in filename:
            return frame
        frame = frame.f_back  # type: ignore[assignment]
    return None


def checked(test: Callable[[str], object], what: str) -> AfterValidator:
    """A text field's check, for Annotated[str, checked(...)]: the value if `test` holds, else "'<value>' is not
    <what>" at the field's line."""
    def check(value: str) -> str:
        if not test(value):
            raise ValueError(f"{value!r} is not {what}")
        return value
    return AfterValidator(check)


class Model(BaseModel):
    """Strict, frozen pydantic model: unknown fields are errors, values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Definition(Model):
    """A named object users write in definitions/; remembers the file:line that constructed it."""

    _location: Location = PrivateAttr(default_factory=lambda: UNKNOWN)  # one shared value: no deep copy per object
    _site: Site | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        frame = _definitions_frame()
        if frame is not None:
            self._location = Location(frame.f_code.co_filename, frame.f_lineno)
            self._site = (frame.f_code, frame.f_lasti)

    @property
    def location(self) -> Location:
        """Where this definition was written."""
        return self._location

    @property
    def site(self) -> Site | None:
        """The call that constructed it (None for objects derived by obsgen), to locate a field's own line."""
        return self._site
