"""`obsgen build` replayed from its record when nothing the last build read has changed.

A build is a pure function of what it reads (obsgen requires definitions to be deterministic: same definitions,
same bytes). The last successful build's record keeps every input it read (generator/core/reads.py: files,
directory listings, stat() probes, imports not found) with what each held, its problems and the bytes of its
files. A build whose options, interpreter, working directory and environment match the record's, and whose inputs
all still hold the same, writes those bytes and says those problems without loading the definitions, the models
or the emitters: the same out/, the same output, in the time of a write. Anything else (a changed input, a record
that is missing, torn or from another version, a build that ran a program or used the network) is a full build,
which records itself: the record can only save time. That build still takes from the record the bytes of each
file whose document has not changed (package/reuse.py, checked by their digest), when out/ no longer holds them.

The record lives beside the definitions' bytecode (definitions/__pycache__/obsgen-build.record) and follows the
same switch: nothing is written under PYTHONDONTWRITEBYTECODE. It is a sealed file (core/sealed_file.py: a line
with the HMAC-SHA256 of what it seals under this user's key (core/seal_key.py), written atomically: a record planted
in the project, by anyone else, is not replayed) sealing a line of JSON (inputs, problems, the files' names,
lengths and SHA-256s), followed by the files' bytes one after the other: no code and no pickles, so a tampered
record can at worst be refused. The seal covers each file through its digest, checked when the file is used (all of
them by a replay; by a full build, those it takes): a full build neither hashes all the files to read the record
nor hashes them again to save it, as most of their digests are known (taken when they were serialised or checked).
It is read here, not by read_sealed, to slice the files out of it without copying them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from generator.core.bounded_read import open_regular
from generator.core.command_environment import environment
from generator.core.errors import Level, Location, Problem
from generator.core.reads import Reads, recording
from generator.core.seal_key import seal_key, sealed
from generator.core.sealed_file import write_sealed
from generator.core.written_files import FileBytes, Known, bytes_of, digest
from generator.package import file_store
from generator.package.tree import WriteReport, contained, replaceable, write_tree

if TYPE_CHECKING:
    from generator.load.warm import WarmModules
    from generator.model.profile import Profile

FORMAT = 3
RECORD = "obsgen-build.record"
LIMIT = 64 * 1024 * 1024
"""Largest total of file bytes recorded: a larger project's record would double its disk and the build's memory."""


@dataclass
class Built:
    """What a build said and wrote (and, to record, its files' bytes)."""

    problems: list[Problem]
    disabled: list[tuple[Problem, str]]
    written: WriteReport
    files: Mapping[str, FileBytes] = field(default_factory=dict, repr=False)
    known: Mapping[str, Known] = field(default_factory=dict, repr=False)
    """What the build knows of its files' bytes (their digests) without hashing them again."""


def _record_path(definitions: Path) -> Path:
    return definitions / "__pycache__" / RECORD


def key(definitions: Path, profile: Profile | None) -> str:
    """What a build depends on besides its recorded inputs: the record of another key is not this build's."""
    identity = orjson.dumps([FORMAT, sys.version, sys.executable, sys.path, os.getcwd(), environment(),
                             str(definitions.resolve()), repr(profile)])
    return hashlib.sha256(identity).hexdigest()


def _problem(problem: Problem) -> list[Any]:
    return [problem.location.file, problem.location.line, problem.code, str(problem.level), problem.message,
            [[place.file, place.line] for place in problem.related]]


def _unproblem(data: list[Any]) -> Problem:
    file, line, code, level, message, related = data
    return Problem(Location(file, line), code, Level(level), message, tuple(Location(*place) for place in related))


@dataclass
class Record:
    """The last successful build's record: its index (key, inputs, problems) and its files' bytes."""

    index: dict[str, Any]
    files: dict[str, memoryview]
    """Each file's bytes, as the record holds them: not checked until used (against digests)."""
    digests: dict[str, str]


def recorded(definitions: Path) -> Record | None:
    """The last build's record, whatever its key, when it is whole (sealed by this user's key, of this format)."""
    if seal_key() is None:  # (read here, before a build records what it reads: the key is no input)
        return None
    try:
        with open_regular(_record_path(definitions)) as file:
            data = file.read(2 * LIMIT + 1)  # a record no build could have written is not read whole
    except OSError:
        return None
    view = memoryview(data)  # the files are slices of what was read: no copy of the record, nor of each file
    digest_end = data.find(b"\n")
    index_end = data.find(b"\n", digest_end + 1)
    if digest_end < 0 or index_end < 0 or not sealed(view[:digest_end], view[digest_end + 1:index_end + 1]):
        return None
    try:
        index = orjson.loads(view[digest_end + 1:index_end])
        if index["format"] != FORMAT:
            return None
        files: dict[str, memoryview] = {}
        digests: dict[str, str] = {}
        offset = index_end + 1
        for path, length, sha256 in index["files"]:
            if not isinstance(path, str) or not isinstance(length, int) or length < 0:
                return None
            # a path only a hand-made record can hold ('../x', '/x'): write_tree would refuse it mid-replay
            files[contained(path)], digests[path] = view[offset:offset + length], str(sha256)
            offset += length
    except (ValueError, KeyError, TypeError):
        return None
    return Record(index, files, digests) if offset == len(data) else None


def replayed(record: Record, build_key: str, out: Path, definitions: Path) -> Built | None:
    """The recorded build written again into out/, when the record is this key's and every input it read still
    holds the same (None otherwise, and nothing written), linking the files the definitions' store keeps."""
    index = record.index
    try:
        if index["key"] != build_key or Reads.from_data(index["reads"]).changed() or any(
                hashlib.sha256(data).hexdigest() != record.digests[path] for path, data in record.files.items()):
            return None
        problems = [_unproblem(problem) for problem in index["problems"]]
        disabled = [(_unproblem(problem), reason) for problem, reason in index["disabled"]]
    except (ValueError, KeyError, TypeError):
        return None
    store = file_store.store(definitions, record.digests)
    return Built(problems, disabled, write_tree(record.files, out, store=store), files=record.files)


def replay_build(definitions: Path, out: Path) -> Built | None:
    """An unchanged build of these definitions into out/ replayed, if it is one; what the program tries before it
    imports the command line's parser (cli/quick_build.py)."""
    record = recorded(definitions)
    return replayed(record, key(definitions, None), out, definitions) if record is not None else None


def save(definitions: Path, build_key: str, reads: Reads, built: Built) -> None:
    """Keep the build's record (atomically; a failure only means no record), unless it read something the record
    cannot check, its files are too large, or bytecode is not written."""
    if reads.unsafe or sys.dont_write_bytecode or sum(map(len, built.files.values())) > LIMIT:
        return
    index = orjson.dumps({
        "format": FORMAT, "key": build_key, "reads": reads.data(),
        "problems": [_problem(problem) for problem in built.problems],
        "disabled": [[_problem(problem), reason] for problem, reason in built.disabled],
        "files": [[path, len(data), known.digest if (known := built.known.get(path)) else digest(data)]
                  for path, data in built.files.items()],
    })
    write_sealed(_record_path(definitions), index + b"\n", after=map(bytes_of, built.files.values()))


def _ignored(definitions: Path, out: Path) -> tuple[str, ...]:
    """Paths a build reads that are no input: out/ (its files are reused only when they hold the same bytes), the
    siblings a write stages beside it, and jinja2's cache of compiled templates (keyed by their source)."""
    from generator.targets.templating import cache_directory

    out, templates = out.resolve(), cache_directory()
    return (f"{out}{os.sep}", f"{out.parent}{os.sep}.{out.name}.", *([f"{templates}{os.sep}"] if templates else []))


def build(definitions: Path, out: Path, profile: Profile | None = None,
          warm: WarmModules | None = None, *, replay: bool = True,
          imported: Callable[[], None] | None = None) -> Built:
    """generator.build.build, replayed from its record when nothing it read has changed (unless not `replay`),
    and recorded when not. A watching build (with warm) is neither: it keeps its modules in memory.
    `imported` is called once the pipeline's modules are imported, before a full build runs (never for a replay,
    which imports none). ProblemsFound (and out/ untouched) when anything is an error; OutRefused, before any work,
    when out/ is not one a build may replace."""
    replaceable(out)
    build_key = key(definitions, profile) if warm is None else ""
    record = recorded(definitions) if build_key else None  # (a watch keeps out/, whose bytes it reuses)
    found = replayed(record, build_key, out, definitions) if record is not None and replay else None
    if found is not None:
        return found
    from generator.build import build_files

    if imported is not None:
        imported()
    project = f"{definitions.resolve().parent}{os.sep}"  # its files are compared by their bytes when touched
    recorder: contextlib.AbstractContextManager[list[Reads]] = \
        recording(_ignored(definitions, out), hashed=(project,)) if build_key else contextlib.nullcontext([])
    known: dict[str, Known] = {}
    with recorder as reads:
        compiled, files = build_files(definitions, out, profile, warm, record.files if record is not None else {},
                                      known)
    # a watch makes the next tree in the last one, and reads back only the files changed since it wrote them
    written = write_tree(files, out, keep_spare=warm is not None, written=warm.written if warm is not None else None,
                         known=known, store=file_store.store(definitions, known) if build_key else None)
    built = Built(compiled.report.problems, compiled.report.disabled, written, files=files, known=known)
    if build_key:
        save(definitions, build_key, reads[0], built)
    return built
