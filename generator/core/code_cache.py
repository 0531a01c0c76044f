"""What the interpreter compiles from text at every import, compiled once per machine: the methods the dataclasses
module writes for each class (__init__, __repr__, __eq__, order, __hash__, a frozen class's __setattr__), the
expressions of typing's forward references (string annotations) and the programs of regular expressions.

dataclasses writes each method as source text and exec()s it, for every class, in every process: about 540 texts
for a build's imports (obsgen's dataclasses, pydantic's, annotated_types'), 28-30 ms of CPU. `re` parses each
pattern and compiles it to a program for its matcher, in Python: about 140 patterns at a build's imports, 16-17 ms.
typing compiles each string annotation it is given (pydantic_core's TypedDicts have hundreds): 785 at a build's
imports, 230 distinct, 6-7 ms.
Each result depends on nothing but the text (and flags) and the interpreter, so they are kept as bytecode is: one
file beside this module's own bytecode (its __pycache__), mapping each text to its code object and each pattern to
its program (marshal, the format of .pyc files), stamped with the interpreter's version and bytecode magic number
and sealed by this user's key (core/sealed_file.py; in a checkout's editable install this __pycache__ is in the
repository, where anyone could commit code objects). A missing, stale, torn or unreadable file only means
compiling again, and nothing is written under PYTHONDONTWRITEBYTECODE or where that directory cannot be written
(a read-only install), as for bytecode. A pattern re's parser may warn of is neither kept nor read: each process
compiles it and is warned, at the line compiling it, as without this. As with bytecode, a warning of compiling a
forward reference's text is given when it is compiled, not when it is reused.

Importing this module is what turns it on (generator.build imports it first; the texts of anything made before are
compiled as always):
- dataclasses looks `exec` up in its own module's globals before the builtins: that module is given an `exec` that
  takes the code of a text from here (compiled as dataclasses' exec compiles it: no inherited __future__ flags,
  file name "<string>"), and runs it as it would;
- typing compiles a forward reference's text with `compile(text, "<string>", "eval")`, looked up the same way: it
  is given a `compile` that takes that code from here (anything else is builtins.compile's);
- re compiles a pattern not in its own cache through `re._compiler.compile(pattern, flags)`: that function is given
  a stand-in that takes the program of a pattern from here and makes the pattern object from it as the original
  does (`_sre.compile`); a parsed pattern (re.Scanner's) or a debugging compile goes to the original. Python 3.11
  only: it calls re's private parser and code generator, as 3.11's re._compiler.compile does; on another release
  re compiles as always until this is checked against it.
The texts and patterns compiled in a process are added to the file when it exits. (No `from __future__` import
here: builtins.compile called from this module inherits its flags, and typing's own compile inherits none.)
"""

import _sre  # type: ignore[import-not-found]
import atexit
import builtins
import dataclasses
import importlib.util
import marshal
import os
import re
import sys
import typing
from re import _compiler, _parser  # type: ignore[attr-defined]
from types import CodeType
from typing import Any

from generator.core.sealed_file import read_sealed, write_sealed

STAMP = f"3 {sys.version} {importlib.util.MAGIC_NUMBER.hex()}"
"""What a code object or a program depends on besides its text: the interpreter (another's file is not read), and
the file's layout (its first number)."""
LIMIT = 4 * 1024 * 1024
"""Largest file kept (a build's texts and patterns take 0.65 MB): past it, only what the last process used is kept."""

Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""A pattern's compiled form, the arguments of _sre.compile after the pattern: flags, code, groups, names."""
Key = tuple[str, str] | tuple[str, str | bytes, int]
"""("exec" or "eval", a text) for a code object; ("re", a pattern, its flags) for a program."""


def cache_path() -> str | None:
    """Where the compiled texts are kept: beside this module's bytecode (None when the interpreter writes none)."""
    try:
        own = importlib.util.cache_from_source(__file__)
    except NotImplementedError:  # no cache tag: this interpreter keeps no bytecode
        return None
    return os.path.join(os.path.dirname(own), f"obsgen-compiled.{sys.implementation.cache_tag}")


class Compiled:
    """Texts and their code objects, patterns and their programs: the file's, read when the first is asked (each
    entry kept marshalled until used: a process loads only what it asks, not what other commands put there), and
    those compiled since."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.stored: dict[Key, bytes] | None = None
        self.made: dict[Key, Any] = {}
        self.used: set[Key] = set()

    def _read(self) -> dict[Key, bytes]:
        payload = read_sealed(self.path, LIMIT) if self.path is not None else None
        if payload is not None:
            try:
                stamp, entries = marshal.loads(payload)
            except (EOFError, ValueError, TypeError):  # sealed, but not by this code: as missing
                return {}
            if stamp == STAMP and isinstance(entries, dict):
                return entries
        return {}

    def _stored(self) -> dict[Key, bytes]:
        if self.stored is None:
            self.stored = self._read()
        return self.stored

    def _found(self, key: Key) -> Any:
        data = self._stored().get(key)
        if data is None:
            return None
        try:
            found = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        self.used.add(key)
        return found

    def code(self, text: str, mode: str = "exec") -> CodeType:
        """The code of text, as exec(text) (or eval, with mode "eval") compiles it where no __future__ import is in
        force."""
        found = self._found((mode, text))
        if isinstance(found, CodeType):
            return found
        compiled = self.made[mode, text] = compile(text, "<string>", mode, dont_inherit=True)
        return compiled

    def program(self, pattern: str | bytes, flags: int) -> Program | None:
        """The program of a pattern compiled before (in this process or kept), None if it was not."""
        found = self.made.get(("re", pattern, flags)) or self._found(("re", pattern, flags))
        return found if isinstance(found, tuple) else None

    def save(self) -> None:
        """Add what was compiled since the file was read to it (atomically; a failure only means no cache)."""
        if not self.made or self.path is None or sys.dont_write_bytecode:
            return
        if not os.access(os.path.dirname(self.path), os.W_OK):  # a read-only install: nothing marshalled for it
            return
        stored, made = self._stored(), dict(self.made)  # (copied at once: a daemon thread may compile at exit)
        kept = stored | {key: marshal.dumps(value) for key, value in made.items()}
        payload = marshal.dumps((STAMP, kept))
        if len(payload) > LIMIT:  # what this process used and made
            kept = {key: data for key, data in kept.items() if key in self.used or key in made}
            payload = marshal.dumps((STAMP, kept))
        if len(payload) <= LIMIT and write_sealed(self.path, payload):
            self.stored, self.used = kept, set()
            for key in made:
                self.made.pop(key, None)


COMPILED = Compiled(cache_path())


def cached_exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /, **options: Any) -> None:
    """builtins.exec, with a text's code from COMPILED (dataclasses' only use of exec: a text, with its globals)."""
    if globals is None:  # exec's own default: the caller's namespaces
        caller = sys._getframe(1)
        globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
    if isinstance(source, str):
        source = COMPILED.code(source)
    builtins.exec(source, globals, locals, **options)


def cached_compile(source: Any, filename: Any, mode: str, /, *args: Any, **options: Any) -> Any:
    """builtins.compile, with the code of a forward reference's text from COMPILED (typing's only use of compile:
    `compile(text, "<string>", "eval")`)."""
    if args or options or type(source) is not str or filename != "<string>" or mode != "eval":
        return builtins.compile(source, filename, mode, *args, **options)
    return COMPILED.code(source, mode)


_compile_pattern = _compiler.compile


SETS = ("[[", "--", "&&", "~~", "||")
"""What a pattern holds where re's parser may warn of a possible set (FutureWarning): a nested set, or two of
`-&~|` in a row in one."""


def _may_warn(pattern: str | bytes) -> bool:
    """Whether re's parser may warn of the pattern: a possible set, or (DeprecationWarning) a group reference
    `(?(...)` or a bytes pattern's group name not in ASCII. Such a pattern is compiled by every process, as without a
    cache, so that re warns in each."""
    text = pattern if isinstance(pattern, str) else pattern.decode("latin-1")
    names = "(?(" in text or (isinstance(pattern, bytes) and "(?P" in text)
    return any(pair in text for pair in SETS) or (names and not text.isascii())


def cached_pattern(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
    """re._compiler.compile, with a pattern's program from COMPILED."""
    if type(pattern) not in (str, bytes) or flags & re.DEBUG:  # (a subclass of str is no marshal value)
        return _compile_pattern(pattern, flags)  # type: ignore[no-any-return]
    flags, kept = int(flags), not _may_warn(pattern)  # (not read either: a file of before this rule may hold it)
    program = COMPILED.program(pattern, flags) if kept else None
    if program is None:  # parsed here, as in re._compiler.compile: a warning of re's names the line compiling it
        parsed = _parser.parse(pattern, flags)
        names = [None] * parsed.state.groups
        for name, index in parsed.state.groupdict.items():
            names[index] = name
        program = (int(flags | parsed.state.flags), [int(op) for op in _compiler._code(parsed, flags)],
                   parsed.state.groups - 1, dict(parsed.state.groupdict), tuple(names))
        if kept:
            COMPILED.made["re", pattern, flags] = program
    return _sre.compile(pattern, *program)  # type: ignore[no-any-return]


dataclasses.exec = cached_exec  # type: ignore[attr-defined]
typing.compile = cached_compile  # type: ignore[attr-defined]
if sys.version_info[:2] == (3, 11):  # the re internals this stand-in was written against and is tested on
    _compiler.compile = cached_pattern
atexit.register(COMPILED.save)
