"""What a check is, modelled on pint's checks: a small module with a code, a name, a level and a doc, whose
`check(context)` yields findings; the runner gives each the check's code and the line of the field at fault.

A check module defines:

    CODE = "XR002"                  # stable, listed by `obsgen check --list`, documented in docs/checks/
    NAME = "unknown-severity"
    LEVEL = Level.ERROR             # ERROR stops the build; WARNING is said and the build goes on
    def check(context: Context) -> Iterator[Finding]: ...

and its docstring is its documentation: what it finds, why it matters, how to fix it. Its cases are in
tests/checks/cases/<CODE>.yml, run by one generic test.

A check of the project that judges the Prometheus or Alertmanager release it is built for (Stack.*_version) says

    RELEASES = True

and a build for a profile naming other releases (the live demo's, which runs Debian's) runs it on the profiled
project instead (build.compile_definitions): it then judges the releases the files are written for.

A check that finds something missing from the definitions of a kind (no ScrapeJob scrapes Tempo) says

    READS_EVERY = (ScrapeJob,)

and is skipped when a statement that may have defined one failed (context.unresolved.any_of): its findings
would follow from that one error, which the loader reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, TypeVar

from generator.core.disk_cache import value_digest
from generator.core.errors import Level, Location
from generator.core.made_once import made
from generator.derive.expressions import Expression, expressions
from generator.derive.series import defined_series
from generator.load.modules import Unresolved
from generator.model import Definition, Metric
from generator.model.project import Project


@dataclass(frozen=True)
class Finding:
    """What a check found, before the runner gives it a code and a place."""

    at: Definition | Location
    """The definition at fault (or a place, for what no definition holds)."""
    message: str
    field: tuple[str | int, ...] = ()
    """The path of the field at fault inside the definition's constructor call: ("levels", 0, "after")."""
    related: tuple[Location, ...] = ()
    """Other places involved, named in the message too."""


class CheckModule(Protocol):
    """The shape of a check module."""

    @property
    def CODE(self) -> str: ...
    @property
    def NAME(self) -> str: ...
    @property
    def LEVEL(self) -> Level: ...

    def check(self, context: Context) -> Iterable[Finding]: ...


def _digest(document: Any, _: None) -> str | None:
    return value_digest(document)


Derived = TypeVar("Derived")


@dataclass
class Context:
    """What checks read: the project, what failed to be defined, and (after rendering) the targets' documents."""

    project: Project
    unresolved: Unresolved = field(default_factory=Unresolved)
    rendered: Mapping[str, Any] = field(default_factory=dict)
    _derived: dict[Callable[[Context], Any], Any] = field(default_factory=dict, init=False, repr=False,
                                                           compare=False)

    def derived(self, make: Callable[[Context], Derived]) -> Derived:
        """make(self), made once for every check: what a family of checks reads, derived by the module that
        knows how (the dashboard lint rules' LintContext), where the properties below are what checks of every
        kind read."""
        if make not in self._derived:
            self._derived[make] = make(self)
        return self._derived[make]  # type: ignore[no-any-return]

    @cached_property
    def expressions(self) -> list[Expression]:
        """Every PromQL expression of the project, with where it is written (computed once for every check)."""
        return list(expressions(self.project))

    @cached_property
    def digests(self) -> dict[str, str | None]:
        """Each rendered document's digest (disk_cache.value_digest), taken once per build: the secret scan's cache
        and packaging's reuse of unchanged files both key on it."""
        return {path: made(_digest, document, None) for path, document in self.rendered.items()}

    @cached_property
    def series(self) -> dict[str, Metric | None]:
        """Every series name some source produces, with its metric family when a Metric declares it."""
        return defined_series(self.project)

    def unknown(self, kind: type[Definition], name: str, known: Iterable[str]) -> bool:
        """Whether a name refers to nothing known and not to a definition whose statement failed."""
        return name not in set(known) and not self.unresolved.covers(kind, name)


Use = tuple[Definition, tuple[str | int, ...], str, str]
"""A name used by a definition: (definition, field path, name, how messages introduce it: "alert X: ")."""


def unknown_names(context: Context, kind: type[Definition], label: str, known: Iterable[str],
                  uses: Iterable[Use]) -> Iterator[Finding]:
    """A finding for every use of a name of this kind that nothing defines (and no failed statement would have)."""
    names = set(known)
    for at, path, name, what in uses:
        if context.unknown(kind, name, names):
            yield Finding(at, f"{what}unknown {label} {name!r}{suggestion(name, names)}", path)


def suggestion(name: str, known: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for a misspelt name, or the names defined when there are few."""
    names = sorted(set(known))
    import difflib  # (only a misspelt name needs it: 1-5 ms of a build's imports)

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if close:
        return f"; did you mean {close[0]!r}?"
    if len(names) <= 8:
        return f"; defined: {', '.join(names) or 'none'}"
    return f"; {len(names)} are defined (obsgen list)"

