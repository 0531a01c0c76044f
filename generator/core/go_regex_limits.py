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
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_HEIGHT = 1000
"""regexp/syntax maxHeight: the deepest parse tree Go builds."""
MAX_SIZE = (128 << 20) // 40
"""regexp/syntax maxSize: the most instructions of a compiled program (128 MiB of 40-byte instructions)."""


def _refused(code: str, text: str) -> ValueError:
    return ValueError(f"error parsing regexp: {code}: `{text}`")


@dataclass
class _Node:
    """An atom as read so far: its height, its size, and whether it is one literal character (which joins the
    literal before it)."""

    height: int = 1
    size: int = 1
    literal: bool = False


@dataclass
class _Group:
    """An open group: whether it captures, its finished branches (height, size, a single character each), and the
    branch being read."""

    capture: bool
    branches: list[tuple[int, int, bool]] = field(default_factory=list)
    nodes: int = 0
    height: int = 1
    size: int = 0
    joins: bool = False  # whether the last node is a literal a literal after it joins


class Tree:
    """The shape of the tree of one expression (text), as go_regex._Reader reads it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.groups = [_Group(capture=False)]
        self.last: _Node | None = None

    def atom(self, literal: bool = False) -> None:
        """A literal character, a class or an escape: the atom a repeat after it repeats."""
        self.settle()
        self.last = _Node(literal=literal)

    def open(self, capture: bool) -> None:
        self.settle()
        self.groups.append(_Group(capture))

    def close(self) -> None:
        """The open group read whole: itself the atom now (a capture a node above its content)."""
        self.settle()
        group = self.groups.pop()
        height, size, _ = self.content(group)
        self.last = _Node(height + 1, size + 2) if group.capture else _Node(height, size)
        self.check(self.last.height, self.last.size)

    def alternative(self) -> None:
        self.settle()
        group = self.groups[-1]
        group.branches.append(self.branch(group))
        group.nodes, group.height, group.size, group.joins = 0, 1, 0, False

    def repeat(self, low: int, high: int | None, counted: bool) -> None:
        """The last atom repeated: *, + or ? (counted False; low 0 or 1, high None for * and +), or {low,high}."""
        node = self.last
        if node is None:  # a flag group's repeat (`(?i)*` is refused before), or nothing to repeat
            return
        if not counted:
            node.size += 2 if high is None and low == 0 else 1
        elif high is None:
            node.size = 2 + node.size if low == 0 else 1 + low * node.size
        else:
            node.size = max(1, high * node.size + high - low)
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
        self.check(group.height + (group.nodes > 1), group.size)

    @staticmethod
    def branch(group: _Group) -> tuple[int, int, bool]:
        """The branch read: its height, its size, and whether it is a single character (an alternation of them is a
        class)."""
        single = group.nodes == 1 and group.height == 1 and group.size == 1
        return group.height + (group.nodes > 1), max(1, group.size), single

    def content(self, group: _Group) -> tuple[int, int, bool]:
        branches = [*group.branches, self.branch(group)]
        if len(branches) == 1:
            return branches[0]
        if all(single for _, _, single in branches):
            return 1, 1, True
        height = 1 + max(height for height, _, _ in branches)
        size = sum(size for _, size, _ in branches) + len(branches) - 1
        self.check(height, size)
        return height, size, False

    def finish(self) -> None:
        """The expression read whole (its groups closed)."""
        self.settle()
        height, size, _ = self.content(self.groups[-1])
        self.check(height, size)

    def check(self, height: int, size: int) -> None:
        if height > MAX_HEIGHT:
            raise _refused("expression nests too deeply", self.text)
        if size > MAX_SIZE:
            raise _refused("expression too large", self.text)
