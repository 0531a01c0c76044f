"""The jinja2 environment of the text targets: templates/ beside this module, compiled once per machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def environment(**syntax: Any) -> jinja2.Environment:
    """A strict environment over templates/; compiled templates are kept in jinja2's per-user cache directory,
    keyed by the template's source, so a build does not recompile them (about 20 ms a template)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), bytecode_cache=jinja2.FileSystemBytecodeCache(),
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False, **syntax,
    )
