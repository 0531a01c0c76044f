"""Go's limits on a regular expression's parse tree (regexp/syntax, Go 1.19 on), counted while go_regex reads it: a
tree more than MAX_HEIGHT deep is refused as `expression nests too deeply`, one whose program would hold more than
MAX_SIZE instructions as `expression too large`, both quoting the whole expression, as Go's parse does. Without them
`(` * 100000 + `a` + `)` * 100000 went to RE2 (which took it, as Go does not) and a million took 4.8 s and 130 MiB.

The tree is counted as regexp/syntax builds it, without recursion (a stack of the open groups): a literal run is one
node, a capturing group a node above its content, a concatenation or an alternation of two or more a node above
them (an alternation of single characters is one class), a repeat a node above its atom; a non-capturing group is no
node. Its size is calcSize's: a literal 1 a character, a capture or a star 2 more than what it holds, a plus or a
question mark 1 more, x{n,m} m times x and m - n, x{n,} n times x and 1, an alternation of k its branches and k - 1.
Not counted: the prefixes regexp/syntax factors out of an alternation's branches (`ab|ac` is `a[bc]`), which may
add a level or take one away, and the runes of the character classes (maxRunes: some 26,000 \\pL).

Then obsgen's own bounds, on what C++ RE2 is given, where Go would take a pattern RE2 cannot compile quickly (and
cannot be interrupted in): RE2 joins adjacent repeats of one atom (`a?a?` is `a{0,2}`, `(a{2,1000})(a{2,1000})`
`a{4,2000}`) and compiles x{n,m}'s m - n optional copies in time quadratic in them: `a?` * 40,000 took 2.7 s CPU,
`(a{2,1000})` * 40 2.5 s, * 1,677 (Go's) never ends. A pattern holding more than MAX_OPTIONAL optional copies (a `?`
one, x{n,m} m - n, each as many times as the repeats around it copy it) is refused, as is one whose program would
hold more than MAX_PROGRAM instructions (calcSize's, a Unicode class counted as its RE2 program: `\\pL` 1,200),
which RE2 builds in memory before its own budget refuses it (`\\pL` * 30,000: 700 MiB). Measured, not bounded: a
10,000-word alternation (0.15 s) or 100,000 (1.7 s, most of it in go_regex's reading, linear in the text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

MAX_HEIGHT = 1000
"""regexp/syntax maxHeight: the deepest parse tree Go builds."""
MAX_SIZE = (128 << 20) // 40
"""regexp/syntax maxSize: the most instructions of a compiled program (128 MiB of 40-byte instructions)."""
MAX_OPTIONAL = 20_000
"""obsgen's: the most optional copies RE2 is given (`a?` * 20,000: 0.7 s CPU; quadratic beyond)."""
MAX_PROGRAM = 1_500_000
"""obsgen's: the most instructions RE2 is given (`\\pL{1000}`, 1,200,000: 0.5 s, 170 MiB; Go's maxSize 3,355,443)."""
MAX_MEM = 64 << 20
"""RE2's memory budget for one pattern (its default, 8 MiB, refuses `\\pL{1000}`, which Go takes)."""


@cache
def re2_options() -> tuple[Any, Any]:
    """google-re2, imported when a regex is first compiled or weighed (not on the CLI's paths that match none), and
    the one set of options every pattern is compiled with: errors raised, not logged; no capture (only whether it
    matches is asked, and a class escape's program is the same without); MAX_MEM."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no types

    options = re2.Options()
    options.log_errors, options.never_capture, options.max_mem = False, True, MAX_MEM
    return re2, options


def parse_error(code: str, text: str) -> ValueError:
    """Go's error for an expression regexp/syntax refuses, as go_regex raises each (`error parsing regexp: ...`)."""
    return ValueError(f"error parsing regexp: {code}: `{text}`")


@lru_cache(maxsize=1024)
def class_weight(escape: str) -> int | None:
    """The instructions of RE2's program for one Unicode class escape (`\\pL`, `\\p{Greek}`) alone; None if RE2
    refuses it (a script it does not know)."""
    re2, options = re2_options()
    try:
        return int(re2.compile(escape, options).programsize)
    except re2.error:
        return None


def _times(size: int, low: int, high: int | None, counted: bool) -> int:
    """calcSize of x repeated (*, + or ? if not counted; else {low,high}, high None for {low,}) from x's size."""
    if not counted:
        return size + (2 if high is None and low == 0 else 1)
    if high is None:
        return 2 + size if low == 0 else 1 + low * size
    return max(1, high * size + high - low)


@dataclass
class _Node:
    """An atom as read so far: its height, its size, and whether it is one literal character (which joins the
    literal before it)."""

    height: int = 1
    size: int = 1
    literal: bool = False
    work: int = 1  # its size with each Unicode class counted as its RE2 program
    optional: int = 0  # the optional copies RE2 compiles of it


@dataclass
class _Group:
    """An open group: whether it captures, its finished branches (height, size, a single character each), and the
    branch being read."""

    capture: bool
    branches: list[tuple[int, int, bool, int, int]] = field(default_factory=list)
    nodes: int = 0
    height: int = 1
    size: int = 0
    work: int = 0
    optional: int = 0
    joins: bool = False  # whether the last node is a literal a literal after it joins


class Tree:
    """The shape of the tree of one expression (text), as go_regex._Reader reads it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.groups = [_Group(capture=False)]
        self.last: _Node | None = None
        self.classes = 0  # the RE2 instructions of the Unicode classes in the atom being read (class_weight)

    def atom(self, literal: bool = False) -> None:
        """A literal character, a class or an escape (the Unicode classes in it counted in classes): the atom a repeat
        after it repeats."""
        self.settle()
        self.last = _Node(literal=literal, work=max(1, self.classes))
        self.classes = 0

    def open(self, capture: bool) -> None:
        self.settle()
        self.groups.append(_Group(capture))

    def close(self) -> None:
        """The open group read whole: itself the atom now (a capture a node above its content)."""
        self.settle()
        group = self.groups.pop()
        height, size, _, work, optional = self.content(group)
        capture = 2 * group.capture
        self.last = _Node(height + group.capture, size + capture, work=work + capture, optional=optional)
        self.check(self.last.height, self.last.size)

    def alternative(self) -> None:
        self.settle()
        group = self.groups[-1]
        group.branches.append(self.branch(group))
        group.nodes, group.height, group.size, group.work, group.optional, group.joins = 0, 1, 0, 0, 0, False

    def repeat(self, low: int, high: int | None, counted: bool) -> None:
        """The last atom repeated: *, + or ? (counted False; low 0 or 1, high None for * and +), or {low,high}."""
        node = self.last
        if node is None:  # a flag group's repeat (`(?i)*` is refused before), or nothing to repeat
            return
        node.size, node.work = _times(node.size, low, high, counted), _times(node.work, low, high, counted)
        # RE2 makes x{n,m} n copies of x and m - n optional ones (x? one), x{n,} n copies and a star (x* one)
        node.optional = node.optional * max(1, high or low) + (high or low) - low
        node.height += 1
        node.literal = False
        self.check(node.height, node.size)

    def settle(self) -> None:
        """The last atom read whole: a node of the branch being read (a literal joining the literal before it)."""
        node, self.last = self.last, None
        if node is None:
            return
        group = self.groups[-1]
        if not (node.literal and group.joins):
            group.nodes += 1
        group.joins = node.literal
        group.height = max(group.height, node.height)
        group.size += node.size
        group.work += node.work
        group.optional += node.optional
        self.check(group.height + (group.nodes > 1), group.size)

    @staticmethod
    def branch(group: _Group) -> tuple[int, int, bool, int, int]:
        """The branch read: its height, its size, whether it is a single character (an alternation of them is a
        class), its work and its optional copies."""
        single = group.nodes == 1 and group.height == 1 and group.size == 1
        return group.height + (group.nodes > 1), max(1, group.size), single, max(1, group.work), group.optional

    def content(self, group: _Group) -> tuple[int, int, bool, int, int]:
        branches = [*group.branches, self.branch(group)]
        if len(branches) == 1:
            return branches[0]
        joins = len(branches) - 1
        work, optional = sum(branch[3] for branch in branches) + joins, sum(branch[4] for branch in branches)
        if all(branch[2] for branch in branches):
            return 1, 1, True, work, optional
        height = 1 + max(branch[0] for branch in branches)
        size = sum(branch[1] for branch in branches) + joins
        self.check(height, size)
        return height, size, False, work, optional

    def finish(self) -> None:
        """The expression read whole (its groups closed): Go's limits, then obsgen's on what RE2 is given (after Go's,
        so that what Go refuses is refused in Go's words)."""
        self.settle()
        height, size, _, work, optional = self.content(self.groups[-1])
        self.check(height, size)
        if optional > MAX_OPTIONAL:
            raise parse_error(f"obsgen cannot read it: it holds {optional:,} optional repeats, more than "
                              f"{MAX_OPTIONAL:,} (RE2 would take over a second to compile them, in time quadratic in "
                              "them)", self.text)
        if work > MAX_PROGRAM:
            raise parse_error(f"obsgen cannot read it: it would compile to some {work:,} instructions, more than "
                              f"{MAX_PROGRAM:,} (RE2 would take hundreds of MiB and seconds to build them)", self.text)

    def check(self, height: int, size: int) -> None:
        if height > MAX_HEIGHT:
            raise parse_error("expression nests too deeply", self.text)
        if size > MAX_SIZE:
            raise parse_error("expression too large", self.text)
