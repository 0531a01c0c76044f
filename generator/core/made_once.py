"""What a watching build (`obsgen build --watch`) made last time, made again only when what it is made of changed.

A rebuild after a one-alert edit would otherwise render every dashboard of the project again, with its page, its
ConfigMap and its digest, when one or none of them can change. Those are made by pure functions of a subject and
inputs, `made(function, subject, inputs)`. The subject is a definition kept from a module that did not run again,
compared by identity (definitions are immutable), or a document made() returned in the same build, by identity
too (documents are never changed once made; a dict or list made elsewhere is never kept by). The inputs are the
values the function reads of the rest of the project, taken afresh by every build and compared by value. So a
kept result is always the one the function would return now: a full build and a watching one write the same bytes.

Only a watching process keeps results, in the Memo it holds across its builds (load/warm.py's WarmModules); a
build without one calls each function.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

Subject = TypeVar("Subject")
Inputs = TypeVar("Inputs")
Result = TypeVar("Result")


@dataclass(frozen=True)
class _Made:
    subject: Any  # held, so that its id is not another object's while the entry lives
    inputs: Any
    result: Any


@dataclass
class Memo:
    """Results of the last build (`kept`) and of the one running (`made`), by function and subject."""

    kept: dict[tuple[Callable[..., Any], int], _Made] = field(default_factory=dict)
    made: dict[tuple[Callable[..., Any], int], _Made] = field(default_factory=dict)
    returned: set[int] = field(default_factory=set)
    """The ids of the results made() returned in the running build (each held by `made`)."""

    def result(self, function: Callable[[Subject, Inputs], Result], subject: Subject, inputs: Inputs) -> Result:
        if isinstance(subject, dict | list) and id(subject) not in self.returned:
            return function(subject, inputs)  # a document made elsewhere, which nothing says is never changed
        key = (function, id(subject))
        found = self.made.get(key) or self.kept.get(key)
        if found is None or found.subject is not subject or found.inputs != inputs:
            found = _Made(subject, inputs, function(subject, inputs))
        self.made[key] = found
        self.returned.add(id(found.result))
        result: Result = found.result
        return result

    def finish(self, whole: bool) -> None:
        """The running build ended: what it made is what the next one may keep (with the last build's results too
        when it stopped part way, so that a build failing on a typo does not lose them)."""
        self.kept = self.made if whole else self.kept | self.made
        self.made, self.returned = {}, set()


_memo: ContextVar[Memo | None] = ContextVar("made_once", default=None)


@contextlib.contextmanager
def keeping(memo: Memo | None) -> Iterator[None]:
    """Results of made() inside kept in memo (None: nothing kept)."""
    token = _memo.set(memo)
    whole = False
    try:
        yield
        whole = True
    finally:
        _memo.reset(token)
        if memo is not None:
            memo.finish(whole)


def made(function: Callable[[Subject, Inputs], Result], subject: Subject, inputs: Inputs) -> Result:
    """function(subject, inputs), a pure function of the two: the last watching build's result when the subject is
    the same object and the inputs are equal."""
    memo = _memo.get()
    return function(subject, inputs) if memo is None else memo.result(function, subject, inputs)
