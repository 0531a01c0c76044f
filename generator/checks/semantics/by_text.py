"""What the meaning checks find in an expression that only its text decides, kept across builds, so that a build
after an edit does not parse and walk again what it judged before (kube-prometheus' 234 imported rules: 20-25 ms).

An imported rule is judged by what its aggregations keep (derive/result_labels, deployed_here False): every series
it reads may carry any label, whatever this project declares, so what SM011 and SM012 find in it follows from its
text alone, unless it reads one of this project's recording rules (then it is derived each build). Whether an
alert has a condition (SM013) always follows from its text, as do the labels a template prints (SM011).

Entries are kept in definitions/__pycache__/obsgen-meaning.cache beside the PromQL facts, under a version naming
the parser and the digest of the code that computes them; an entry of another shape is computed again, so the
cache can only save time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from generator.core import gotemplate_syntax, promql
from generator.core.disk_cache import DiskCache, package_version, source_digest
from generator.derive import result_labels
from generator.model.project import Project

HERE = Path(__file__).parent
SOURCES = (__file__, promql.__file__, result_labels.__file__, gotemplate_syntax.__file__,
           *(str(HERE / f"{name}.py") for name in ("shapes", "alert_without_condition", "vector_matching",
                                                   "result_readers", "template_labels", "quantile_without_le",
                                                   "stated_numbers")))
"""The modules whose code decides the kept answers."""
Answer = TypeVar("Answer")
_disk: DiskCache | None = None


@contextmanager
def meaning_cached(definitions: Path) -> Iterator[None]:
    """Answers of the expressions of one definitions package kept across builds (saved when the block ends)."""
    global _disk
    _disk = DiskCache(definitions, "meaning",
                      f"promql-parser {package_version('promql-parser')} {source_digest(*SOURCES)}")
    try:
        yield
    finally:
        _disk.save()
        _disk = None


def text_decides(project: Project, expr: str) -> bool:
    """Whether an imported rule's answers follow from its text: it parses and reads none of the project's
    recording rules (its facts, cached too, say so without a parse)."""
    facts = promql.facts(expr)
    return not facts.error and not any(selector.name in project.recording_rules for selector in facts.selectors)


def remembered(kind: str, expr: str, compute: Callable[[], Answer], stored: Callable[[Answer], Any],
               read: Callable[[Any], Answer]) -> Answer:
    """compute()'s answer for an expression whose text decides it, from the cache when a build kept one; stored
    gives its JSON form, read its answer back from that form (TypeError or ValueError for another shape)."""
    key = f"{kind} {expr}"
    if _disk is None:
        return compute()
    kept = _disk.get(key)
    if kept is not None:
        try:
            answer = read(kept)
            if stored(answer) == kept:
                return answer
        except (TypeError, ValueError):
            pass  # a value this code did not write: compute again
    answer = compute()
    _disk.put(key, stored(answer))
    return answer


def strings(value: Any) -> tuple[str, ...]:
    """A stored list of strings, read back (TypeError for anything else)."""
    if type(value) is not list or any(type(item) is not str for item in value):
        raise TypeError("not a list of strings")
    return tuple(value)


def string(value: Any) -> str:
    """A stored string, read back (TypeError for anything else)."""
    if type(value) is not str:
        raise TypeError("not a string")
    return value
