"""out/ replaced atomically: locked, staged beside it, swapped in with no moment where it is missing.

Apart from serialisation (emit.py), so that a build replayed from its record (replay.py) writes out/ without
loading the YAML emitter.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.core.bounded_read import read_bounded, read_bounded_status
from generator.core.written_files import FileBytes, Known, WrittenFiles, bytes_of, same, still_held
from generator.package.file_store import FileStore

_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # <fcntl.h>, <linux/fs.h>


MAX_FILE_BYTES = 16 * 2**20  # out/'s largest file, a rules file or a dashboard, is about 0.1 MiB
MAX_TREE_BYTES = 256 * 2**20  # the shipped out/ is 3 MiB, kube-prometheus' imported and built 6 MiB


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes under root, by its path inside it ("a/b.yml"), sorted. The tree may come from a pull
    request or a ref's own generator: ValueError naming the file when one is over MAX_FILE_BYTES or not a regular
    file (a link to one is read), or when they hold more than MAX_TREE_BYTES together."""
    found: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                found[path.relative_to(root).as_posix()] = data = read_bounded(path, MAX_FILE_BYTES)
            except OSError as error:
                raise ValueError(f"{path}: cannot read it: {error.strerror or error}") from None
            except ValueError as error:  # over the bound (TooLarge), or it became a FIFO since
                raise ValueError(f"{path}: {error} for one file of out/") from None
            total += len(data)
            if total > MAX_TREE_BYTES:
                raise ValueError(f"{root}: its files hold more than the {MAX_TREE_BYTES / 2**20:g} MiB obsgen reads "
                                 f"from one out/ (at {path})")
    return found


def contained(path: str) -> str:
    """path, if it names a file inside out/ (relative, no '..', no empty or '.' parts); ValueError otherwise."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or "\0" in path or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"output path {path!r} would reach outside out/")
    return path


BUILT_MARKER = "prometheus/prometheus.yml"  # every build writes it


def require_built(out: Path, *needed: str) -> None:
    """ValueError unless out is a directory a build wrote holding what a command reads (by default, the whole
    tree: its prometheus.yml); commands that read out/ start here."""
    missing = next((path for path in needed or (BUILT_MARKER,) if not (out / path).exists()), None)
    if missing is not None:
        what = "does not exist" if not out.exists() else "is not a directory" if not out.is_dir() else \
            f"holds no {missing}"
        raise ValueError(f"{out} {what}: not a built out/ directory (run obsgen build, or give its path)")


class OutRefused(ValueError):
    """out/ is not a directory a build may replace."""


def _lock(out: Path) -> Path:
    return out.with_name(f".{out.name}.lock")


def replaceable(out: Path) -> None:
    """OutRefused unless out/ is missing, empty, or a tree a build wrote (its marker file, or the lock builds leave
    beside it): a build replaces out/ whole, so a mistyped --out (the project, definitions/) would lose all it holds,
    and a symbolic link (committed in a clone) would send the build to replace a directory anywhere."""
    if out.is_symlink():
        raise OutRefused(f"{out} is a symbolic link (to {os.readlink(out)}): a build replaces out/ whole and does "
                         "not follow links; give the directory itself")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutRefused(f"{out} is not a directory: a build writes out/ as a directory of files")
    if (out / BUILT_MARKER).is_file() or _lock(out).is_file() or not any(out.iterdir()):
        return
    raise OutRefused(f"{out} holds files no build wrote (no {BUILT_MARKER}): a build replaces out/ whole, deleting "
                     "what it holds; give a new or empty directory, or the out/ of an earlier build")


MAX_REUSED_BYTES = 256 << 20
"""No file a build writes comes near this: a bigger one in out/ is not read to be compared or reused."""


def read_regular(path: Path, size: int | None = None) -> bytes | None:
    """The bytes of a file of out/ (a regular file, never through a symbolic link, never a device or pipe), or
    None: missing, something else, or more than `size` bytes (when given; else than MAX_REUSED_BYTES)."""
    found = read_regular_status(path, size)
    return found[0] if found is not None else None


def read_regular_status(path: Path, size: int | None = None) -> tuple[bytes, os.stat_result] | None:
    """read_regular, with the file's status just before its bytes were read."""
    try:
        return read_bounded_status(path, MAX_REUSED_BYTES if size is None else size, follow_links=False)
    except (OSError, ValueError):  # TooLarge is a ValueError
        return None


@dataclass
class WriteReport:
    """What a write changed under out/."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _holds(out: Path, relative: str, data: FileBytes, written: WrittenFiles | None, known: Known | None) -> bool:
    """Whether a regular file exists at out/relative with exactly these bytes: read and compared, unless this build
    read them there (known.held) or a watching build wrote it, and its status says it is still as it was."""
    if known is not None and known.held is not None and still_held(out / relative, known.held):
        return True
    wrote = written.holds(out, relative, data) if written is not None else None
    return wrote if wrote is not None else same(read_regular(out / relative, len(data)), data)


@cache
def _umask() -> int:
    """The process' umask (read by setting it: once, before any thread of a build writes)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@cache
def _libc() -> Any:
    """The C library, loaded when a tree is first swapped (a build into a new out/ only renames)."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def exchange(a: Path, b: Path) -> None:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); OSError where it is unsupported."""
    import ctypes

    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, out: Path, checkpoint: Callable[[str], None]) -> None:
    """Put the staged tree at out/ and the old one at staging, with no moment where out/ is missing.

    Without renameat2 (not Linux, or a filesystem that refuses it) the old tree is moved aside first; a
    kill between the two renames leaves it at .<out>.previous, put back by the next build."""
    try:
        exchange(staging, out)
        return
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise
    previous = out.with_name(f".{out.name}.previous")
    out.rename(previous)
    checkpoint("moved aside")
    staging.rename(out)
    previous.rename(staging)


def _spare(out: Path) -> Path:
    return out.with_name(f".{out.name}.spare")


def _clean_leftovers(out: Path, keep_spare: bool) -> None:
    """Undo what a killed build left: an old tree moved aside is put back, staging directories go (and a watching
    build's spare tree, unless this build is one)."""
    previous = out.with_name(f".{out.name}.previous")
    if previous.exists() and not out.exists():
        previous.rename(out)
    for leftover in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)
    if not keep_spare:
        release_spare(out)


def release_spare(out: Path) -> None:
    """Remove the tree a watching build kept beside out/ (when the watch ends)."""
    spare = _spare(out.resolve())
    if spare.is_symlink() or spare.is_file():
        spare.unlink()
    else:
        shutil.rmtree(spare, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the lock of out/ (an fcntl lock on .<out>.lock beside it) until the block ends or the process dies."""
    try:  # never through a link: it could make the build create a file anywhere
        descriptor = os.open(_lock(out), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        raise OutRefused(f"cannot take the lock {_lock(out)}: {error.strerror}") from None
    with os.fdopen(descriptor, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage(files: Mapping[str, FileBytes], unchanged: set[str], out: Path, staging: Path,
           store: FileStore | None) -> None:
    """Write the new tree under staging; unchanged files are hard links to out/'s, keeping inode and mtime, and the
    others links to the store's files holding their bytes, when it has them (all are kept there)."""
    made: set[Path] = set()
    mode = 0o666 & ~_umask()
    for relative, data in sorted(files.items()):
        target = staging / relative
        if target.parent not in made:  # one mkdir per directory, not per file
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if relative in unchanged:
            os.link(out / relative, target)
        elif store is not None and store.link(relative, data, target, mode):
            continue
        else:
            target.write_bytes(bytes_of(data))
        if store is not None:
            store.keep(relative, data, target, mode)


def _directories(files: Mapping[str, FileBytes]) -> set[str]:
    """The directories holding files, relative to out/, with all their parents."""
    found: set[str] = set()
    for relative in files:
        parent = relative.rpartition("/")[0]
        while parent and parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found


def _inodes(root: Path) -> tuple[dict[str, int], set[str]]:
    """Every entry under root that is not a directory (symbolic links included) with its inode, and every
    directory, relative to root; read from the directory entries (scandir), without a stat per file."""
    files: dict[str, int] = {}
    directories: set[str] = set()
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(root / prefix if prefix else root) as entries:
            for entry in entries:
                relative = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    directories.add(relative)
                    pending.append(f"{relative}/")
                else:
                    files[relative] = entry.inode()
    return files, directories


def _restage(files: Mapping[str, FileBytes], unchanged: set[str], out: Path, current: Mapping[str, int],
             staging: Path) -> None:
    """Make staging, the tree the last swap took out (a watching build's spare), exactly the new tree: its links
    to a file out/ still holds (current: out/'s files and inodes) stay, anything else is removed and made again
    (never written in place: a file of staging may be a link to one of out/)."""
    held, held_directories = _inodes(staging)
    directories = _directories(files)
    for relative in sorted(held_directories - directories, reverse=True):  # emptied below, then removed
        for name in [path for path in held if path.startswith(f"{relative}/")]:
            os.unlink(staging / name)
            del held[name]
        os.rmdir(staging / relative)
    for relative in held.keys() - files.keys():
        os.unlink(staging / relative)
    for relative in sorted(directories - held_directories):
        os.mkdir(staging / relative)
    for relative, data in files.items():
        target = staging / relative
        if relative in unchanged and relative in held and held[relative] == current.get(relative):
            continue  # already a link to out/'s file
        if relative in held:
            os.unlink(target)
        if relative in unchanged:
            os.link(out / relative, target)
        else:
            with open(target, "xb") as file:
                file.write(bytes_of(data))


def write_tree(files: Mapping[str, FileBytes], out: Path,
               checkpoint: Callable[[str], None] = lambda step: None, *, keep_spare: bool = False,
               written: WrittenFiles | None = None, known: Mapping[str, Known] | None = None,
               store: FileStore | None = None) -> WriteReport:
    """Replace out/ with exactly these files, all at once: out/ is always the old tree or the new one.

    Builds into one out/ are serialised by a lock; each stages its tree in a directory of its own. An out/ that
    already is this tree is left as it is (no staging, no swap). With keep_spare (a watching build), the old tree
    is kept beside out/ after the swap and made the next tree in place: a one-file edit then rewrites one file and
    links nothing, where a new staging directory costs a directory made and removed per folder of out/ and a link
    per file. `checkpoint` is called after each step ("staged", "swapped", "done"): the kill tests' fault hook.
    With written (a watching build's), a file it wrote is read back only when its status changed since, and what
    out/ holds after the write is kept there for the next one. With known (reuse.serialised's), a file this build
    read back from out/ is not read again unless its status changed since. With store (file_store.py: not for a
    watching build), a new tree links the files it keeps, and it keeps the tree's."""
    replaceable(out)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for relative in files:
        contained(relative)
    with _locked(out):
        started = time.time_ns()
        try:
            report = _replace(files, out, checkpoint, keep_spare, written, known or {}, store)
        except BaseException:
            if written is not None:
                written.forget()
            raise
        if written is not None:
            written.wrote(out, files, started)
    return report


def _replace(files: Mapping[str, FileBytes], out: Path, checkpoint: Callable[[str], None], keep_spare: bool,
             written: WrittenFiles | None, known: Mapping[str, Known], store: FileStore | None) -> WriteReport:
    """write_tree's work, under out/'s lock."""
    _clean_leftovers(out, keep_spare)
    existed = out.exists()
    unchanged = {relative for relative, data in files.items()
                 if existed and _holds(out, relative, data, written, known.get(relative))}
    report = WriteReport(written=sorted(files.keys() - unchanged), unchanged=sorted(unchanged))
    held: dict[str, int] = {}
    if existed:
        held, directories = _inodes(out)
        report.removed = sorted(held.keys() - files.keys())
        if len(unchanged) == len(files) and not report.removed and directories <= _directories(files):
            checkpoint("done")  # out/ already is this tree: no staging, no swap
            return report
    staging = _staged(files, unchanged, out, held if keep_spare and existed else None, store)
    checkpoint("staged")
    if existed:
        _swap(staging, out, checkpoint)
        checkpoint("swapped")
        if keep_spare:
            if staging != _spare(out):
                release_spare(out)  # whatever took its name
                staging.rename(_spare(out))
        else:
            shutil.rmtree(staging)
    else:
        staging.rename(out)
    if store is not None:
        store.prune()
    checkpoint("done")
    return report


def _staged(files: Mapping[str, FileBytes], unchanged: set[str], out: Path,
            current: Mapping[str, int] | None, store: FileStore | None) -> Path:
    """The new tree, staged beside out/: in the spare tree when there is one to reuse (given out/'s files and
    inodes, `current`), else in a new directory."""
    spare = _spare(out)
    if current is not None and spare.is_dir() and not spare.is_symlink():
        try:
            _restage(files, unchanged, out, current, spare)
            return spare
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)  # something else in the way: stage anew
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would become out/'s: a server running as another user reads it
    _stage(files, unchanged, out, staging, store)
    return staging
