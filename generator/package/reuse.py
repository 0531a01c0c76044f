"""Serialisation only for files whose document changed: the others' bytes are read back from out/, or from the
last build's record when out/ no longer holds them (a new checkout's out/, a removed one).

YAML emission is most of a warm build's time after loading. For each file the disk cache keeps the digest of the
document that produced out/'s bytes, and the digest of those bytes: when this build's document has the same digest
and out/ still holds the same bytes, they are reused as they are. The document's digest (disk_cache.value_digest,
taken once per build by the checks' Context and shared with the secret scan) covers every value with its exact type
(a tuple is not a list, an int not a float) and refuses anything else, so two documents share a digest only when
serialise() would write the same bytes for both; the header's source is in the cache's version.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import yaml

from generator.core.disk_cache import DiskCache, source_digest
from generator.core.written_files import FileBytes, Known, WrittenFiles, held_status
from generator.package import emit, tree


def _digest(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def _held(out: Path, path: str, digest: str, earlier: bytes | memoryview | None, written: WrittenFiles | None,
          make: Callable[[], bytes], known: dict[str, Known]) -> FileBytes | None:
    """What a watching build last wrote there (written: not kept, made again if needed), else out/'s bytes, else the
    earlier ones, if they have the digest (then known: out/'s with the file's status before the read)."""
    unkept = written.bytes_with(path, digest, make) if written is not None else None
    if unkept is not None:
        return unkept
    since = time.time_ns()
    found = tree.read_regular_status(out / path)  # its status, which the write compares instead of reading it again
    if found is not None and _digest(found[0]) == digest:
        known[path] = Known(digest, held_status(found[1], since))
        return found[0]
    if earlier is not None and _digest(earlier) == digest:
        known[path] = Known(digest)
        return bytes(earlier)
    return None


def serialised(rendered: Mapping[str, Any], digests: Mapping[str, str | None], source: str, out: Path,
               definitions: Path, earlier: Mapping[str, bytes | memoryview] | None = None,
               written: WrittenFiles | None = None, known: dict[str, Known] | None = None) -> dict[str, FileBytes]:
    """Every file's bytes, as emit.serialise gives them (with what is known of them in `known`, when given: their
    digest, for all but those of a document with no digest); reused from out/ (or earlier, the files of a build
    before, by path) when the document (by its digest in digests, None for one that has none) is the same and those
    bytes are the ones it was serialised to. A watching build reuses what it last wrote (written) without reading
    out/ nor keeping the bytes: an Unkept, the serialisation of that document whatever out/ holds now."""
    earlier = earlier or {}
    known = {} if known is None else known
    cache = DiskCache(definitions, "serialised", f"pyyaml {yaml.__version__} orjson {orjson.__version__} "
                      f"{source_digest(emit.__file__)} {source}")
    files: dict[str, FileBytes] = {}
    for path, document in sorted(rendered.items()):
        tree.contained(path)  # as serialise() would: out/'s bytes are never read from outside it
        key = digests[path]  # None: a value it cannot digest, serialised every time
        stored = cache.get(path) if key else None
        data: FileBytes | None = None
        if isinstance(stored, list) and len(stored) == 2 and stored[0] == key:
            data = _held(out, path, stored[1], earlier.get(path), written,
                         partial(emit.serialise, path, document, source), known)
        if data is None:  # (a reused file keeps the entry get() found: its bytes are not hashed again)
            data = emit.serialise(path, document, source)
            if key:
                known[path] = Known(_digest(data))
                cache.put(path, [key, known[path].digest])
        files[path] = data
    cache.save()
    return files
