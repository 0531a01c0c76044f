"""pydantic's plugin loader as the obsgen program has it: no plugins, and importlib.metadata not imported.

pydantic imports its loader (pydantic.plugin._loader) when it makes the first validator, and that module imports
importlib.metadata, with email's parser (8-15 ms of a build's process), to look for plugins the program has
already turned off (PYDANTIC_DISABLE_PLUGINS=__all__, cli/entry.py). install() (by the build's pipeline, before any
model validates) makes this module the loader while they are off; get_plugins answers as pydantic's does: none
while the variable says so, pydantic's own loader's answer once it does not.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from typing import Any

LOADER = "pydantic.plugin._loader"
DISABLED = ("__all__", "1", "true")
"""The values of PYDANTIC_DISABLE_PLUGINS for which pydantic's get_plugins returns no plugin."""


def _off() -> bool:
    return os.getenv("PYDANTIC_DISABLE_PLUGINS") in DISABLED


def get_plugins() -> Iterable[Any]:
    """pydantic.plugin._loader.get_plugins: none while they are off, else what pydantic's loader finds."""
    if _off():
        return ()
    if sys.modules.get(LOADER) is sys.modules[__name__]:
        del sys.modules[LOADER]  # turned on since install(): pydantic's own loader from now on
    found: Iterable[Any] = importlib.import_module(LOADER).get_plugins()
    return found


def install() -> None:
    """This module as pydantic's plugin loader, when plugins are off and pydantic has not loaded its own."""
    if _off() and LOADER not in sys.modules:
        sys.modules[LOADER] = sys.modules[__name__]
