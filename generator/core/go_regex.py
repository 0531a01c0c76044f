"""A regular expression of Go's regexp package (RE2 syntax), read as Go's regexp/syntax reads it and matched by RE2
(google-re2), in time linear in the text, as Go's regexp matches it.

Alertmanager's matchers, Prometheus' selectors, Loki's and the Collector's regexes come from definitions and from
imported configs, so from anyone: Python's backtracking re took exponential time on some (`(a+)+` on 30 characters:
some 36 s), and reads another dialect. RE2 is the C++ library Go's regexp was written after: the same syntax, the
same leftmost-first semantics, the same linear-time guarantee. Where C++ RE2 and Go part, this module reads the
pattern first as Go's parser does, and refuses with the words Go says (what amtool and promtool print) what Go
refuses: RE2 takes `\\C` (any byte), Unicode letters in a group's name, and `(?<name>`, which Go takes from 1.22 only
(angle_names; core.releases says which releases were built with it). RE2 refuses what Go takes in one form, a
repeat holding an emptied one (`((a{500}){0}){3}`: Go's repeatIsValid stops at a {0}, RE2 counts through it):
an atom repeated {0} times is given to RE2 as the empty group it matches.

What still differs, and is not worked around: the Unicode tables (RE2's case orbits, general categories and scripts
are of its Unicode version, which may differ from the Go that runs the pattern by a few recent characters), Go 1.25's
category aliases (`\\p{Letter}`), which RE2 refuses, and RE2's memory budget (go_regex_limits.MAX_MEM), which
refuses a program Go would still build (thousands of Unicode classes repeated): those are refused as obsgen's, not
Go's.

Alertmanager compiles a matcher's regex anchored, `^(?:value)$`, and asks whether it matches anywhere in the label
value (regexp.MatchString): matcher_regex does the same, so `$` is the end of the value, never before a final line
feed, and a value that closes the group early (`a)|(b`) reads as Go reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from generator.core.go_regex_limits import Tree, class_weight, re2_options
from generator.core.go_regex_limits import parse_error as _error
from generator.core.releases import ALERTMANAGER_GO_1_22, ordered

MAX_REPEAT = 1000
"""Go's largest repeat count (regexp/syntax maxRepeat... `{1001}` is an invalid repeat count)."""
MAX_RUNE = 0x10FFFF
_REPEAT = re.compile(r"\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}")
"""A repeat count as regexp/syntax parseRepeat takes it: parseInt refuses a leading zero, so `a{01}` is literal text."""
_NAME = re.compile(r"[A-Za-z0-9_]+")
"""A group's name as regexp/syntax isValidCaptureName takes it (a name starting with a digit, one name given twice)."""
_SCRIPT = re.compile(r"[A-Za-z][A-Za-z_]*")
_SIMPLE_ESCAPES = "afnrtv"
_PERL = "dsw"
"""Go's Perl classes, \\d \\s \\w and their complements (ASCII only, as RE2's)."""
_POSIX = frozenset(("alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
                    "upper", "word", "xdigit"))
"""The ASCII classes Go reads inside brackets, [[:alpha:]]."""
_CATEGORIES = frozenset(("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
                         "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C",
                         "Cc", "Cf", "Co", "Cs", "Any"))
"""The Unicode general categories Go's \\p reads, and Any; a script's name (\\p{Greek}) is taken if RE2 knows it."""


def _said(error: Exception) -> str:
    said = error.args[0] if error.args else error
    return said.decode(errors="replace") if isinstance(said, bytes) else str(said)


class _Reader:
    """One pattern read left to right as regexp/syntax parses it (Perl flags, what regexp.Compile uses), into the
    tokens given to RE2: each as written, an atom repeated {0} times as `(?:)`."""

    def __init__(self, pattern: str, angle_names: bool) -> None:
        self.text, self.at, self.angle_names = pattern, 0, angle_names
        self.out: list[str] = []
        self.groups: list[tuple[int, int]] = [(1, 0)]
        """Each open group's weight (of its heaviest atom) and where its opening is in out."""
        self.tree = Tree(pattern)  # Go's limits on its parse tree's height and size
        self.atom = False  # what a repeat would repeat: none after ( or |; a flag group (?i) leaves it
        self.atom_at = 0  # where the atom starts in out
        self.flags: list[tuple[int, int]] = []  # where in out a flag group is, and in how many groups
        self.repeated, self.repeat_at = False, 0
        self.weight = 1
        """The last atom's weight: the product of the counted repeats ({n,m}'s m, {n,}'s n) in it and on it, at most
        MAX_REPEAT along any nesting (regexp/syntax repeatIsValid: `(a{500}){3}` is an invalid repeat count)."""

    def emit(self, text: str, atom: bool = True, weight: int = 1, start: int | None = None) -> None:
        self.settle()
        self.atom_at = len(self.out) if start is None else start
        self.out.append(text)
        self.atom, self.repeated, self.weight = atom, False, weight

    def settle(self) -> None:
        """The last atom read whole (no repeat follows): its weight counts in its group's."""
        weight, start = self.groups[-1]
        self.groups[-1] = (max(weight, self.weight), start)
        self.weight = 1

    def read(self) -> str:
        while self.at < len(self.text):
            char = self.text[self.at]
            step = {"\\": self.escape, "[": self.bracket, "(": self.open, ")": self.close, "|": self.alternative,
                    "*": self.repeat, "+": self.repeat, "?": self.repeat, "{": self.braces}.get(char)
            if step is not None:
                step()
            else:
                self.tree.atom(literal=char not in ".^$")
                self.emit(char)
                self.at += 1
        if len(self.groups) > 1:
            raise _error("missing closing )", self.text)
        self.tree.finish()
        return "".join(self.out)

    def escape(self) -> None:
        text, at = self.text, self.at
        if at + 1 >= len(text):
            raise _error("trailing backslash at end of expression", "")
        if text[at + 1] == "Q":
            stop = text.find("\\E", at + 2)
            literal = text[at + 2:] if stop < 0 else text[at + 2:stop]
            self.at = len(text) if stop < 0 else stop + 2
            for char in literal:  # each a literal of its own, as Go's: a repeat after \E repeats the last
                self.tree.atom(literal=True)
                self.emit(f"\\x{{{ord(char):x}}}")
            return
        if text[at + 1] in "AzbB":
            self.at += 2
            self.tree.atom()
        else:
            end = self.class_escape(at)
            self.at = end or _escaped_char(text, at)[1]
            self.tree.atom(literal=end is None)
        self.emit(text[at:self.at])

    def class_escape(self, at: int) -> int | None:
        r"""Where a Perl class (\d \D \s \S \w \W) or a Unicode one (\pL \p{Lu} \PL \p{^L} \p{Greek}) at `at` ends;
        None for another escape."""
        text, letter = self.text, self.text[at + 1]
        if letter.lower() in _PERL:
            return at + 2
        if letter not in "pP":
            return None
        if at + 2 >= len(text):
            raise _error("invalid character class range", text[at:])
        if text[at + 2] == "{":
            stop = text.find("}", at + 2)
            if stop < 0:
                raise _error("invalid character class range", text[at:])
            name, end = text[at + 3:stop].removeprefix("^"), stop + 1
        else:
            name, end = text[at + 2], at + 3
        weight = class_weight(text[at:end])  # None if RE2 knows no such script (of another Unicode version maybe)
        if name not in _CATEGORIES and not (_SCRIPT.fullmatch(name) and weight):
            raise _error("invalid character class range", text[at:end])
        self.tree.classes += weight or 1
        return end

    def bracket(self) -> None:
        text, start = self.text, self.at
        at = start + 1 + (text[start + 1:start + 2] == "^")
        first = True
        while at >= len(text) or text[at] != "]" or first:
            if at >= len(text):
                raise _error("missing closing ]", text[start:])
            first = False
            if text.startswith("[:", at):
                stop = text.find(":]", at + 2)
                if stop >= 0:
                    if text[at + 2:stop].removeprefix("^") not in _POSIX:
                        raise _error("invalid character class range", text[at:stop + 2])
                    at = stop + 2
                    continue
            if text[at] == "\\" and at + 1 < len(text):
                end = self.class_escape(at)
                if end is not None:
                    at = end
                    continue
            low, at = self.class_char(at, start)
            if text[at:at + 1] == "-" and text[at + 1:at + 2] not in ("]", ""):
                high, at = self.class_char(at + 1, start)
                if high < low:
                    raise _error("invalid character class range", text[start:at])
        self.at = at + 1
        self.tree.atom()
        self.emit(text[start:self.at])

    def class_char(self, at: int, start: int) -> tuple[int, int]:
        """One character of a bracket (itself, or an escape) and where it ends."""
        if at >= len(self.text):
            raise _error("missing closing ]", self.text[start:])
        if self.text[at] != "\\":
            return ord(self.text[at]), at + 1
        return _escaped_char(self.text, at)

    def open(self) -> None:
        text, at = self.text, self.at
        named = self.named(at)
        if named or not text.startswith("(?", at):
            self.tree.open(capture=True)
            self.settle()
            self.groups.append((1, len(self.out)))
            self.emit(text[at:named or at + 1], atom=False)
            self.at = named or at + 1
            return
        kind, self.at = _perl_flags(text, at)
        if kind == ":":
            self.tree.open(capture=False)
            self.settle()
            self.groups.append((1, len(self.out)))
            self.emit(text[at:self.at], atom=False)
            return
        # the flags hold to the end of the group; what a repeat would repeat stays the atom before it (`a(?i)*` is
        # `a*`, as RE2 reads it too), though a repeat on it may be repeated again (`a*(?i)*`)
        self.flags.append((len(self.out), len(self.groups)))
        self.out.append(text[at:self.at])
        self.repeated = False

    def named(self, at: int) -> int | None:
        """Where the opening of a named group at `at` ends, `(?P<name>`, and `(?<name>` where Go reads it (1.22 on),
        None if none starts there; ValueError with Go's words for a name Go refuses (regexp/syntax parsePerlFlags)."""
        text = self.text
        if text.startswith("(?P<", at) and len(text) - at > 4:
            start = at + 4
        elif self.angle_names and text.startswith("(?<", at) and len(text) - at > 3:
            start = at + 3
        else:
            return None
        end = text.find(">", start)
        if end < 0:
            raise _error("invalid named capture", text[at:])
        if not _NAME.fullmatch(text, start, end):
            raise _error("invalid named capture", text[at:end + 1])
        return end + 1

    def close(self) -> None:
        if len(self.groups) == 1:
            raise _error("unexpected )", self.text)
        self.tree.close()
        self.settle()
        weight, start = self.groups.pop()
        self.emit(")", weight=weight, start=start)
        self.at += 1

    def alternative(self) -> None:
        self.tree.alternative()
        self.emit("|", atom=False)
        self.at += 1

    def braces(self) -> None:
        found = _REPEAT.match(self.text, self.at)
        if found is None:  # Go reads a { that starts no repeat as itself ({,3} among them)
            self.tree.atom(literal=True)
            self.emit(r"\{")
            self.at += 1
            return
        low, comma, high = found.groups()
        if int(low) > MAX_REPEAT or (high and (int(high) > MAX_REPEAT or int(high) < int(low))):
            raise _error("invalid repeat count", found[0])
        # repeatIsValid's count: {n,m}'s m, {n}'s n, {n,}'s n (none for {0,}); {0} and {0,0} empty the atom
        bounds = int(low), None if comma and not high else int(high or low)
        self.quantify(found[0], found.end(), int(high or low) if high or not comma else max(int(low), 1), bounds)

    def repeat(self) -> None:
        operator = self.text[self.at]
        self.quantify(operator, self.at + 1, bounds=(int(operator == "+"), 1 if operator == "?" else None))

    def quantify(self, operator: str, end: int, count: int | None = None,
                 bounds: tuple[int, int | None] = (0, None)) -> None:
        stop = end + (self.text[end:end + 1] == "?")
        if self.repeated:  # Go stacks no repeats: a** and a*+ are errors, not a doubled star or a possessive one
            raise _error("invalid nested repetition operator", self.text[self.repeat_at:stop])
        if not self.atom:
            raise _error("missing argument to repetition operator", self.text[self.at:stop])
        self.tree.repeat(*bounds, counted=count is not None)  # Go checks the tree's size before the repeat's count
        if count is not None:
            if count * self.weight > MAX_REPEAT:
                raise _error("invalid repeat count", operator)
            self.weight *= count
            if count == 0:
                self.emptied()
        self.out.append(self.text[self.at:stop])
        self.repeat_at, self.at, self.repeated = self.at, stop, True


    def emptied(self) -> None:
        """The atom, repeated {0} times, as `(?:)`, the flag groups after it kept: RE2 would count its repeats in an
        enclosing repeat's, Go does not (((a{500}){0}){3})."""
        depth, start = len(self.groups), self.atom_at
        kept = [self.out[at] for at, inside in self.flags if at >= start and inside == depth]
        self.flags = [(at, inside) for at, inside in self.flags if at < start]
        self.out[start:] = ["(?:)"]
        for token in kept:
            self.flags.append((len(self.out), depth))
            self.out.append(token)


def _perl_flags(text: str, at: int) -> tuple[str, int]:
    """How a flag group at `at` ends (":" opening a group, ")" not) and where, as regexp/syntax parsePerlFlags reads
    it; ValueError quoting what Go quotes: up to the character it stopped at (`(?x`, `(?i-)`, `(?=`, `(?<` before Go
    1.22)."""
    signed, saw, end = False, False, at + 2
    while end < len(text):
        char = text[end]
        end += 1
        if char in "imsU":
            saw = True
        elif char == "-" and not signed:
            signed, saw = True, False
        elif char in ":)" and (saw or not signed):
            return char, end
        else:
            break
    raise _error("invalid or unsupported Perl syntax", text[at:end])


def _escaped_char(text: str, at: int) -> tuple[int, int]:
    """The code point an escape (not a class, not an assertion) at `at` stands for, and where it ends; ValueError
    with Go's words for one Go refuses (a backreference, \\Z, \\C, \\u, \\g...)."""
    letter = text[at + 1]
    if letter in "01234567":
        octal = re.compile("[0-7]{1,3}").match(text, at + 1)
        assert octal is not None
        digits = octal[0]
        if letter != "0" and len(digits) == 1:  # a single digit is a backreference
            raise _error("invalid escape sequence", text[at:at + 2])
        return int(digits, 8), octal.end()
    if letter == "x":
        braced = re.compile(r"x\{([0-9A-Fa-f]+)\}").match(text, at + 1)
        if braced and int(braced[1], 16) <= MAX_RUNE:
            return int(braced[1], 16), braced.end()
        short = re.compile(r"x([0-9A-Fa-f]{2})").match(text, at + 1)
        if short:
            return int(short[1], 16), short.end()
        raise _error("invalid escape sequence", text[at:at + 4])
    if letter in _SIMPLE_ESCAPES:
        return ord("\a\f\n\r\t\v"[_SIMPLE_ESCAPES.index(letter)]), at + 2
    if letter.isascii() and not letter.isalnum():
        return ord(letter), at + 2
    raise _error("invalid escape sequence", text[at:at + 2])


def _utf8(text: str) -> bytes:
    """The text as Go holds it, UTF-8: a lone surrogate (Python's json and yaml keep one) as U+FFFD, as Go's
    encoding/json decodes it."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


@dataclass(frozen=True)
class GoRegex:
    """A pattern as Go's regexp compiles it, matched by RE2 (re2._Regexp, untyped); equal to another of the same
    pattern, as re's compiled patterns are (LabelMatchers compare by it)."""

    pattern: str
    compiled: Any = field(compare=False)

    def matches(self, text: str) -> bool:
        """Whether it matches anywhere in the text (regexp.MatchString), in time linear in the text."""
        return self.compiled.search(_utf8(text)) is not None


def re2_pattern(pattern: str, angle_names: bool = True) -> str:
    """The pattern, of Go's regexp syntax, as given to RE2 to match the same strings; ValueError saying what Go says
    of one it refuses. angle_names: whether the Go that reads it takes `(?<name>re)` (1.22 on), or refuses it as Go
    1.21 and before do."""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in pattern):
        raise _error("invalid UTF-8", pattern)
    return _Reader(pattern, angle_names).read()


@lru_cache(maxsize=1024)
def compile_go(pattern: str, angle_names: bool = True) -> GoRegex:
    """The pattern compiled as Go's regexp.Compile reads it (re2_pattern), to search with (regexp.MatchString finds a
    match anywhere); ValueError if Go refuses it."""
    text = re2_pattern(pattern, angle_names)
    re2, options = re2_options()
    try:
        return GoRegex(pattern, re2.compile(text, options))
    except re2.error as error:
        raise ValueError(f"error parsing regexp: obsgen cannot read it (RE2: {_said(error)}): `{pattern}`") from None


def matcher_regex(value: str, release: str) -> GoRegex:
    """A matcher's regex as that Alertmanager release compiles it (labels.NewMatcher: `^(?:value)$`), to search a
    label value with; ValueError with Go's words (amtool's) if it refuses it."""
    return compile_go(f"^(?:{value})$", ordered(release) >= ordered(ALERTMANAGER_GO_1_22))
