"""The methods the dataclasses module writes for each class (__init__, __repr__, __eq__, __hash__, a frozen class's
__setattr__...), compiled once per machine rather than at every import.

dataclasses writes each method as source text and compiles it with exec(), for every class, in every process:
about 540 texts for a build's imports (obsgen's dataclasses, pydantic's, annotated_types'), 28-30 ms of CPU of its
0.15-0.18 s of imports. The code a text compiles to depends on nothing but the text and the interpreter, so it is
kept as bytecode is: a file beside this module's own bytecode (its __pycache__), mapping each text to its code
object (marshal, the format of .pyc files), stamped with the interpreter's version and bytecode magic number and
sealed by its SHA-256 (core/sealed_file.py). A missing, stale, torn or unreadable file only means compiling again,
and nothing is written under PYTHONDONTWRITEBYTECODE, as for bytecode.

Importing this module is what turns it on (generator.build imports it first): dataclasses looks `exec` up in its
own module's globals before the builtins, so giving that module an `exec` that takes the compiled text from here
is the whole change; every text compiles as dataclasses would compile it (no inherited __future__ flags, file name
"<string>"), and runs as it would. Classes made before the import are made as always. The texts compiled in a
process are added to the file when it exits.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

from generator.core.sealed_file import read_sealed, write_sealed

STAMP = f"{sys.version} {importlib.util.MAGIC_NUMBER.hex()}"
"""What a code object depends on besides its text: the interpreter (a cache of another is not read)."""
LIMIT = 8 * 1024 * 1024
"""Largest file kept (a build's texts take about 0.5 MB): past it, only the last process's texts are kept."""


def cache_path() -> str | None:
    """Where the compiled texts are kept: beside this module's bytecode (None when the interpreter writes none)."""
    try:
        own = importlib.util.cache_from_source(__file__)
    except NotImplementedError:  # no cache tag: this interpreter keeps no bytecode
        return None
    return os.path.join(os.path.dirname(own), f"obsgen-dataclass-code.{sys.implementation.cache_tag}")


class CompiledTexts:
    """Source texts and their code objects: the file's, read on the first text asked, and those compiled since."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.stored: dict[str, CodeType] | None = None
        self.new: dict[str, CodeType] = {}

    def _read(self) -> dict[str, CodeType]:
        payload = read_sealed(self.path, LIMIT) if self.path is not None else None
        if payload is None:
            return {}
        try:
            stamp, codes = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):  # sealed, but not by this code: treated as missing
            return {}
        return codes if stamp == STAMP and isinstance(codes, dict) else {}

    def code(self, text: str) -> CodeType:
        """The code of text, as exec(text) compiles it where no __future__ import is in force."""
        if self.stored is None:
            self.stored = self._read()
        found = self.stored.get(text)
        if isinstance(found, CodeType):
            return found
        compiled = self.new[text] = compile(text, "<string>", "exec", dont_inherit=True)
        return compiled

    def save(self) -> None:
        """Add the texts compiled since the file was read to it (atomically; a failure only means no cache)."""
        if not self.new or self.path is None or sys.dont_write_bytecode:
            return
        kept = {**(self.stored or {}), **self.new}
        payload = marshal.dumps((STAMP, kept))
        if len(payload) > LIMIT:
            kept = dict(self.new)
            payload = marshal.dumps((STAMP, kept))
        if len(payload) <= LIMIT and write_sealed(self.path, payload):
            self.stored, self.new = kept, {}


TEXTS = CompiledTexts(cache_path())


def cached_exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /, **options: Any) -> None:
    """builtins.exec, with a text compiled by TEXTS (dataclasses' only use of exec: a text, with its globals)."""
    if globals is None:  # exec's own default: the caller's namespaces
        caller = sys._getframe(1)
        globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
    if isinstance(source, str):
        source = TEXTS.code(source)
    builtins.exec(source, globals, locals, **options)


dataclasses.exec = cached_exec  # type: ignore[attr-defined]
atexit.register(TEXTS.save)
