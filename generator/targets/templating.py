"""The jinja2 environment of the text targets: templates/ beside this module, compiled once per machine."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from generator.core.gotemplate import readable

TEMPLATES = Path(__file__).parent / "templates"


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    """jinja2's per-user cache directory; a cache that cannot be read or written only means compiling again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from the cache, unless the cache cannot be read."""
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Store a compiled template, unless the directory refuses it."""
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _cache() -> _BestEffortCache | None:
    try:
        return _BestEffortCache()
    except (OSError, RuntimeError):  # no private temporary directory to be had: compile every time
        return None


def cache_directory() -> str | None:
    """The directory of compiled templates (a cache keyed by their source, not an input of a build), if any."""
    found = _cache()
    return found.directory if found is not None else None


def environment(**syntax: Any) -> jinja2.Environment:
    """A strict environment over templates/; compiled templates are kept in jinja2's per-user cache directory,
    keyed by the template's source, so a build does not recompile them (about 20 ms a template)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), bytecode_cache=_cache(),
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False, **syntax,
    )
    env.filters["readable"] = readable  # an alert's Go template in a page no alert fills: <instance>, <value>
    return env
