"""What a block of Python read from outside the process, recorded through audit hooks, and whether it still holds.

A build is a function of what it reads: the files it opens (the definitions, the data files they load, obsgen's
own templates, every module's source), the directories it lists, the paths it probes with stat() (os.path.exists,
Path.is_file), the imports it could not find, and the process' environment, working directory and interpreter
(the caller puts those in its key). CPython raises an audit event for each of these but two: stat() is wrapped
while recording, and a finder placed last on sys.meta_path sees every import no other finder found. Anything
whose result no file holds (running a program, opening a socket, loading a C library, changing the environment or
the working directory, or any event not known to be harmless) makes the block `unsafe`: nothing it produced may
be reused.

Paths under the `ignored` roots (caches that only ever save time, out/) are not inputs.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from generator.core.bounded_read import open_regular

HARMLESS = frozenset({
    "builtins.id", "compile", "exec", "import", "open", "marshal.dumps", "marshal.loads", "marshal.load",
    "object.__getattr__", "object.__setattr__", "object.__delattr__", "sys._getframe", "sys._getframemodulename",
    "code.__new__", "function.__new__", "os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.glob/2",
    "pathlib.Path.glob", "pathlib.Path.rglob", "os.mkdir", "os.remove", "os.rename", "os.replace", "os.rmdir",
    "os.chmod", "os.utime", "os.link", "os.symlink", "shutil.rmtree", "shutil.copyfile", "shutil.copymode",
    "shutil.copystat", "shutil.move", "tempfile.mkstemp", "tempfile.mkdtemp", "fcntl.flock", "fcntl.fcntl",
    "time.sleep", "sys.settrace", "sys.setprofile", "gc.get_referrers", "gc.get_referents", "gc.get_objects",
    "array.__new__", "sys.addaudithook", "cpython._PySys_ClearAuditHooks", "os.truncate", "os.listxattr",
    "os.getxattr",
})
"""Events that neither read nor depend on anything outside the process beyond what the hook records."""
_WRITES = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_MISSING = ("missing",)
_STAT = os.stat  # the real one: while recording, os.stat is wrapped
_CHANGED = (-1, -1, -1, "")
"""The signature of a file that changed while the block ran: no file matches it."""
_Seen = tuple[int, int, int] | None
_SUFFIXES = frozenset(importlib.machinery.all_suffixes())
SEARCHES = frozenset({("importlib._bootstrap_external", "_fill_cache"),
                      ("generator.core.disk_cache", "_listed_version")})
"""(module, function) of the code that lists directories only to find a module or a distribution by its name: the
import system's path finder filling its cache, and package_version's look for a .dist-info on sys.path."""
RACY_NS = 2_000_000_000
"""Files modified this recently before the record are compared by their bytes, whatever their stat says."""

FileSignature = tuple[int, int, int, str]
"""(size, mtime_ns, inode, SHA-256 of the content or "" where any change of stat counts as a change)."""


@dataclass
class Reads:
    """The inputs a block read, each with what it held; `unsafe` names why its result must not be reused."""

    files: dict[str, FileSignature] = field(default_factory=dict)
    listings: dict[str, str] = field(default_factory=dict)
    searched: dict[str, str] = field(default_factory=dict)
    """Directories listed by SEARCHES (sys.path entries, packages' __path__), by the names an import can find:
    not a tool's dot-entry (.hypothesis, .pytest_cache, .out.lock) appearing in a checkout on sys.path."""
    probes: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    absent: dict[str, list[str] | None] = field(default_factory=dict)
    """Modules no finder found, with the __path__ of their package (None: a top-level module, looked for on
    sys.path)."""
    unsafe: str | None = None
    ignored: tuple[str, ...] = ()
    """Path prefixes that are no input: entries under them are left out of listings too."""

    def data(self) -> tuple[Any, ...]:
        """The record as plain values (JSON can hold it)."""
        return self.files, self.listings, self.searched, self.probes, self.absent, self.unsafe, self.ignored

    @classmethod
    def from_data(cls, data: Any) -> Reads:
        """The record data() gave (TypeError or ValueError if it is not one)."""
        files, listings, searched, probes, absent, unsafe, ignored = data
        return cls({path: tuple(signature) for path, signature in files.items()}, dict(listings), dict(searched),
                   {path: tuple(probe) for path, probe in probes.items()}, dict(absent), unsafe, tuple(ignored))

    def changed(self) -> str | None:
        """The first input that no longer holds what it held when recorded, or None when none changed."""
        for path, signature in self.files.items():
            if _file_changed(path, signature):
                return path
        for path, listed in self.listings.items():
            if _listing(path, self.ignored) != listed:
                return path
        for path, listed in self.searched.items():
            if _listing(path, self.ignored, importable=True) != listed:
                return path
        for path, probe in self.probes.items():
            if _probe(path) != probe:
                return path
        for name, search in self.absent.items():
            if importlib.machinery.PathFinder.find_spec(name, search) is not None:
                return name
        return None


def _file_changed(path: str, signature: FileSignature) -> bool:
    size, mtime, inode, digest = signature
    now = _seen(path)
    if now is None:
        return True
    if now == (size, mtime, inode):
        return False
    return now[0] != size or not digest or _digest(path) != digest


def _digest(path: str) -> str:
    """The SHA-256 of a regular file's bytes; "" for anything else (a FIFO is not waited on, a device not read
    without end: a record names any path its writer chose)."""
    try:
        with open_regular(path) as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return ""


def _signature(path: str, seen: tuple[int, int, int], racy_after: int, hashed: tuple[str, ...]) -> FileSignature:
    """The file's signature from its stat. A file modified after `racy_after` (ns) may change again within the
    same timestamp tick without its stat showing it (git's "racily clean" case): its mtime is not kept, so its
    bytes are compared. Only files under `hashed` (what people edit, check out and touch) and those keep a digest:
    for the others (the interpreter's and the installed packages' files, 25 MB a build) any change of stat is a
    change."""
    size, mtime, inode = seen
    racy = mtime >= racy_after
    return size, -1 if racy else mtime, inode, _digest(path) if racy or path.startswith(hashed) else ""


def _seen(path: str) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a path, None when it is missing (never through the wrapped os.stat)."""
    try:
        found = _STAT(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


def _listing(path: str, ignored: tuple[str, ...], importable: bool = False) -> str:
    """A digest of a directory's entries, but caches and ignored paths (out/ appearing beside definitions/), and
    when `importable` (a listing by SEARCHES) but the names no import can find: a dot-name, which only
    a module's last part with no name at all (an entry that is just a suffix, ".py") could match, and which
    is no .pth (site runs those at the start, 3.11.7's hidden ones too)."""
    try:
        names = sorted(name for name in os.listdir(path)
                       if name != "__pycache__" and not f"{path}{os.sep}{name}{os.sep}".startswith(ignored)
                       and not (importable and name.startswith(".") and name not in _SUFFIXES
                                and not name.endswith(".pth")))
    except OSError:
        return ""
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


def _probe(path: str) -> tuple[Any, ...]:
    """What stat() tells of a path: missing, a directory, or a file of this size and modification time."""
    try:
        return _probe_of(_STAT(path))
    except OSError:
        return _MISSING


def _probe_of(found: os.stat_result) -> tuple[Any, ...]:
    if stat.S_ISDIR(found.st_mode):
        return ("directory",)
    return stat.S_IFMT(found.st_mode), found.st_size, found.st_mtime_ns


class _Recorder:
    """What was read while recording, each input as it was when first read, resolved into Reads at the end."""

    def __init__(self, ignored: tuple[str, ...], hashed: tuple[str, ...]) -> None:
        self.ignored = ignored
        self.hashed = hashed
        self.opened: dict[str, _Seen] = {}
        self.listed: dict[str, str] = {}
        self.searched: dict[str, str] = {}
        self.listing = False
        """While a listing is taken: the event its own os.listdir raises is not another input."""
        self.probed: dict[str, tuple[Any, ...]] = {}
        self.absent: dict[str, list[str] | None] = {}
        self.unsafe: str | None = None
        self.loaded = {path: _seen(path) for path in _module_files()}
        prefix = sys.pycache_prefix  # make's venv keeps bytecode there; read once, not at every open event
        self.bytecode_prefix = os.path.join(os.path.abspath(prefix), "") if prefix else None

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        """As the last finder on sys.meta_path: an import no other finder found (any import: a statement, or
        importlib.import_module) is an input, the module that is not there; `path` is its package's __path__."""
        self.absent[name] = [str(entry) for entry in path] if path is not None else None

    def path(self, value: Any) -> tuple[str | None, bool]:
        """The absolute path (None for a descriptor) and whether it lies under an ignored root or a __pycache__, or
        is one: tempfile.NamedTemporaryFile raises its open event with the directory's path (jinja2 writing its
        cache of compiled templates), which is no input of the block, nor a write to one."""
        if isinstance(value, int) or value is None:
            return None, False
        try:
            path = os.path.abspath(os.fsdecode(value))
        except TypeError:
            return None, False
        return path, f"{path}{os.sep}".startswith(self.ignored) or self.bytecode_cache(path)

    def bytecode_cache(self, path: str) -> bool:
        """Whether the path is in a __pycache__, or under sys.pycache_prefix: the interpreter writes bytecode of what
        the block imports, a cache of its source and no output of the block."""
        if self.bytecode_prefix is not None and f"{path}{os.sep}".startswith(self.bytecode_prefix):
            return True
        return f"{os.sep}__pycache__{os.sep}" in path + os.sep

    def event(self, name: str, args: tuple[Any, ...]) -> None:
        if name == "open":
            path, ignored = self.path(args[0])
            mode, flags = args[1], args[2]
            writes = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(flags & _WRITES)
            if path is None:
                return
            if writes and not ignored:
                self.unsafe = self.unsafe or f"writes {path}"
            elif not writes:
                source = _source_of(path) if ignored else path  # bytecode is a cache of its source
                if source is not None and source not in self.opened:
                    self.opened[source] = _seen(source)
        elif name in ("os.listdir", "os.scandir"):
            path, ignored = self.path(args[0] if args[0] is not None else ".")
            if path is None or ignored or self.listing:
                return
            importable = _searching(sys._getframe(2))  # 0: here, 1: the hook, 2: who lists
            listed = self.searched if importable else self.listed
            if path not in listed:
                self.listing = True
                try:
                    listed[path] = _listing(path, self.ignored, importable)
                finally:
                    self.listing = False
        elif name not in HARMLESS and self.unsafe is None:
            self.unsafe = name

    def probe(self, value: Any, probe: tuple[Any, ...]) -> None:
        path, ignored = self.path(value)
        if path is not None and not ignored:
            self.probed.setdefault(path, probe)

    def reads(self) -> Reads:
        """Each input with what it held when first read: one changed since (saved while the block ran) gets a
        signature no file has, so that the next check finds it changed."""
        seen = self.loaded | self.opened
        files, probes = {}, {}
        racy_after = time.time_ns() - RACY_NS
        for path in sorted(seen.keys() | _module_files()):
            now = _seen(path)
            if path in seen and seen[path] != now:
                files[path] = _CHANGED
            elif now is None or os.path.isdir(path):  # missing when read (a file of that name is new input)
                probes[path] = _probe(path)
            else:
                files[path] = _signature(path, now, racy_after, self.hashed)
        probes |= {path: probe for path, probe in self.probed.items() if path not in files and path not in
                   self.listed and path not in self.searched and path not in probes}
        return Reads(files, dict(sorted(self.listed.items())), dict(sorted(self.searched.items())),
                     dict(sorted(probes.items())),
                     dict(sorted(self.absent.items())), self.unsafe, self.ignored)


def _searching(frame: Any) -> bool:
    """Whether the frame listing a directory is one that looks in it for names only an import could find."""
    return (frame.f_globals.get("__name__"), frame.f_code.co_name) in SEARCHES


def _module_files() -> set[str]:
    """The source (or library) file of every module loaded in this process."""
    sources = (getattr(module, "__file__", None) for module in list(sys.modules.values()))
    return {os.path.abspath(file) for file in sources if isinstance(file, str)}


def _source_of(path: str) -> str | None:
    """The source a bytecode file was compiled from (an input, where the bytecode is a cache), else None."""
    if not path.endswith(".pyc"):
        return None
    try:
        return importlib.util.source_from_cache(path)
    except ValueError:
        return None


_RECORDING: list[_Recorder] = []


def _hook(name: str, args: tuple[Any, ...]) -> None:
    if _RECORDING:
        _RECORDING[-1].event(name, args)


@contextmanager
def recording(ignored: tuple[str, ...] = (), hashed: tuple[str, ...] = ("",)) -> Iterator[list[Reads]]:
    """Record what the block reads, but paths starting with an `ignored` prefix, with the bytes' digest of files
    starting with a `hashed` prefix (by default all); the list yielded holds its Reads once the block has ended."""
    if not getattr(sys, "_obsgen_reads_hook", False):  # an audit hook cannot be removed: one per process
        sys.addaudithook(_hook)
        sys._obsgen_reads_hook = True  # type: ignore[attr-defined]
    recorder = _Recorder(ignored, hashed)
    original_stat, original_lstat = os.stat, os.lstat

    def probing(original: Callable[..., os.stat_result]) -> Callable[..., os.stat_result]:
        def probe(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            plain = not args and not kwargs.get("dir_fd")
            try:
                found = original(path, *args, **kwargs)
            except OSError:
                if plain:
                    recorder.probe(path, _MISSING)
                raise
            if plain:
                recorder.probe(path, _probe_of(found))
            return found
        return probe

    result: list[Reads] = []
    _RECORDING.append(recorder)
    sys.meta_path.append(recorder)
    os.stat, os.lstat = probing(original_stat), probing(original_lstat)
    try:
        yield result
    finally:
        os.stat, os.lstat = original_stat, original_lstat
        sys.meta_path.remove(recorder)
        _RECORDING.remove(recorder)
    result.append(recorder.reads())
