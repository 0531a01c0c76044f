"""A regular expression of Go's regexp package (RE2 syntax), as Alertmanager compiles a matcher's regex, written
again as a Python `re` pattern that matches the same strings, or refused with the words Go would say.

The routing analyses (generator.core.label_matchers) evaluate Alertmanager's matchers in Python; Python's re reads
another dialect. Read as it is, a regex Alertmanager takes was refused (`\\pL`, `\\z`, `\\Q...\\E`, `(?U)`, a flag
group after the start, `\\x{263a}`, `[[:alpha:]]`, `\\12` octal) and one Alertmanager refuses was taken
(look-arounds, backreferences, possessive repeats, `\\Z`, `(?x)`); some read otherwise (`\\d`, `\\w`, `\\s`, `\\b`
are ASCII in Go, Unicode in Python; `{,3}` is literal text in Go, a repeat in Python; `$` outside (?m) is the end of
the text in Go, also before a final line feed in Python). This module translates, token by token, as
regexp/syntax's parser reads them (Perl flags, what regexp.Compile uses): the translation is the same wherever obsgen
runs, with or without the preview extra's google-re2, whose C++ RE2 is not Go's either.

Alertmanager compiles a matcher's regex anchored, `^(?:value)$`, and asks whether it matches anywhere in the label
value (regexp.MatchString): matcher_regex does the same, so `$` is the end of the value, never before a final line
feed, and a value that closes the group early (`a)|(b`) reads as Go reads it.

Not read (refused with a note that obsgen cannot, though Go takes it): Unicode script classes (`\\p{Greek}`: Python
has no script table, and a generated one, of Go's Unicode version, would cost some 2,000 ranges for a form no
definition uses; general categories, `\\pL`, `\\p{Lu}`, are read from unicodedata, whose Unicode version may differ
from Go's by a few recent characters). Read as the release's Go reads it: `(?<name>`, which Go 1.22 reads as
`(?P<name>` and Go before it refuses (angle_names; core.releases says which releases were built with 1.22). (?i) folds
as Go does (go_classes: its case orbits, so not the Turkish dotted and dotless i), and a flag group leaves what a
repeat after it repeats: `a(?i)*` is `a*`, as Go reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from generator.core.go_classes import (
    CATEGORIES,
    MAX_RUNE,
    PERL,
    POSIX,
    Ranges,
    category,
    class_text,
    folded,
    merged,
    negated,
    orbits,
)
from generator.core.releases import ALERTMANAGER_GO_1_22, ordered

MAX_REPEAT = 1000
"""Go's largest repeat count (regexp/syntax maxRepeat... `{1001}` is an invalid repeat count)."""
_REPEAT = re.compile(r"\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}")
"""A repeat count as regexp/syntax parseRepeat takes it: parseInt refuses a leading zero, so `a{01}` is literal text."""
_NAME = re.compile(r"[A-Za-z0-9_]+")
"""A group's name as regexp/syntax isValidCaptureName takes it: Go takes a name starting with a digit, and one name
given twice (regexp.SubexpIndex: "multiple subexpressions can be written using the same name"); Python's re neither."""
_SIMPLE_ESCAPES = "afnrtv"


def _error(what: str, text: str) -> ValueError:
    return ValueError(f"error parsing regexp: {what}: `{text}`")


@dataclass
class _Group:
    """A group being read: its flags (of i, m, s, U), the scoped flag groups a (?flags) opened in it, which
    close with it and around each of its alternatives, and the weight of its heaviest atom (_Reader.weight)."""

    flags: frozenset[str]
    scopes: list[str] = field(default_factory=list)
    weight: int = 1
    start: int = 0
    """Where its opening is in the output (_Reader.out)."""


class _Reader:
    """One pattern read left to right into Python's dialect."""

    def __init__(self, pattern: str, angle_names: bool) -> None:
        self.text, self.at, self.angle_names = pattern, 0, angle_names
        self.out: list[str] = []
        self.groups = [_Group(frozenset())]
        self.atom = False  # what a repeat would repeat: none after ( or |; a flag group (?i) leaves it
        self.atom_at, self.after = 0, 0  # where the atom starts in out, and how many flag groups follow it there
        self.repeated, self.repeat_at = False, 0
        self.stacked = False  # the atom has a repeat, then a flag group: another repeat repeats both (a*(?i)*)
        self.weight = 1
        """The last atom's weight: the product of the counted repeats ({n,m}'s m, {n,}'s n) in it and on it, at most
        MAX_REPEAT along any nesting (regexp/syntax repeatIsValid: `(a{500}){3}` is an invalid repeat count)."""

    def emit(self, text: str, atom: bool = True, weight: int = 1, start: int | None = None) -> None:
        self.settle()
        self.atom_at, self.after = len(self.out) if start is None else start, 0
        self.out.append(text)
        self.atom, self.repeated, self.stacked, self.weight = atom, False, False, weight

    def literal(self, code: int) -> str:
        """One character as itself, or under (?i) as the class of its case orbit (go_classes: Go's folding)."""
        orbit = orbits().get(code) if "i" in self.groups[-1].flags else None
        if orbit is not None:
            return class_text(merged([(member, member) for member in orbit]))
        return re.escape(chr(code)) if 0x20 <= code < 0x7F else f"\\U{code:08x}"

    def folded(self, ranges: Ranges) -> Ranges:
        """A class as Go reads it under the flags in force: under (?i), with the case orbits of its letters."""
        return folded(ranges) if "i" in self.groups[-1].flags else ranges

    def settle(self) -> None:
        """The last atom read whole (no repeat follows): its weight counts in its group's."""
        self.groups[-1].weight = max(self.groups[-1].weight, self.weight)
        self.weight = 1

    def read(self) -> str:
        while self.at < len(self.text):
            char = self.text[self.at]
            step = {"\\": self.escape, "[": self.bracket, "(": self.open, ")": self.close, "|": self.alternative,
                    "*": self.repeat, "+": self.repeat, "?": self.repeat, "{": self.braces, "$": self.end}.get(char)
            if step is not None:
                step()
            else:
                self.emit("(?:^)" if char == "^" else "." if char == "." else self.literal(ord(char)))
                self.at += 1
        if len(self.groups) > 1:
            raise _error("missing closing )", self.text)
        return "".join(self.out) + ")" * len(self.groups[0].scopes)

    def end(self) -> None:
        self.emit("(?:$)" if "m" in self.groups[-1].flags else r"(?:\Z)")  # (?:) lets Go's $* be repeated too
        self.at += 1

    def escape(self) -> None:
        text, at = self.text, self.at
        if at + 1 >= len(text):
            raise _error("trailing backslash at end of expression", "")
        letter = text[at + 1]
        if letter == "Q":
            stop = text.find("\\E", at + 2)
            literal = text[at + 2:] if stop < 0 else text[at + 2:stop]
            self.at = len(text) if stop < 0 else stop + 2
            for char in literal:  # each a literal of its own, as Go's: a repeat after \E repeats the last
                self.emit(self.literal(ord(char)))
            return
        assertions = {"A": r"(?:\A)", "z": r"(?:\Z)", "b": r"(?a:\b)", "B": r"(?a:\B)"}
        if letter in assertions:
            self.emit(assertions[letter])
            self.at += 2
            return
        ranges, complement, self.at = self.class_escape(at)
        if ranges is not None:
            self.emit(class_text(self.folded(ranges), complement))  # \W under (?i): folded, then complemented (Go)
            return
        code, self.at = _escaped_char(text, at)
        self.emit(self.literal(code))

    def class_escape(self, at: int) -> tuple[Ranges | None, bool, int]:
        r"""A Perl class (\d \D \s \S \w \W) or a Unicode one (\pL \p{Lu} \PL \p{^L}) at `at`: its ranges, whether
        the escape is their complement (\D, \PL), and where it ends; (None, False, at) for another escape."""
        text, letter = self.text, self.text[at + 1]
        if letter.lower() in PERL:
            return PERL[letter.lower()], letter.isupper(), at + 2
        if letter not in "pP":
            return None, False, at
        if at + 2 >= len(text):
            raise _error("invalid character class range", text[at:])
        if text[at + 2] == "{":
            stop = text.find("}", at + 2)
            if stop < 0:
                raise _error("invalid character class range", text[at:])
            name, end = text[at + 3:stop], stop + 1
        else:
            name, end = text[at + 2], at + 3
        complement = (letter == "P") != name.startswith("^")
        name = name.removeprefix("^")
        if name == "Any":
            ranges: Ranges = ((0, MAX_RUNE),)
        elif name in CATEGORIES:
            ranges = category(name)
        elif name.isalpha() and name.isascii():
            raise ValueError(f"error parsing regexp: obsgen cannot read Unicode script classes such as "
                             f"`{text[at:end]}` (Python has no script table; Go may take it): `{text}`")
        else:
            raise _error("invalid character class range", text[at:end])
        return ranges, complement, end

    def bracket(self) -> None:
        text, start = self.text, self.at
        at = start + 1
        negate = text[at:at + 1] == "^"
        at += negate
        ranges: list[tuple[int, int]] = []
        complements: list[Ranges] = []  # what \W, \PL, [:^alpha:] are the complements of
        first = True
        while at >= len(text) or text[at] != "]" or first:
            if at >= len(text):
                raise _error("missing closing ]", text[start:])
            first = False
            if text.startswith("[:", at):
                stop = text.find(":]", at + 2)
                if stop >= 0:
                    name = text[at + 2:stop]
                    posix = POSIX.get(name.removeprefix("^"))
                    if posix is None:
                        raise _error("invalid character class range", text[at:stop + 2])
                    if name.startswith("^"):
                        complements.append(posix)
                    else:
                        ranges += posix
                    at = stop + 2
                    continue
            if text[at] == "\\" and at + 1 < len(text):
                found, complement, end = self.class_escape(at)
                if found is not None:
                    if complement:
                        complements.append(found)
                    else:
                        ranges += found
                    at = end
                    continue
            low, at = self.class_char(at, start)
            high = low
            if text[at:at + 1] == "-" and text[at + 1:at + 2] not in ("]", ""):
                high, at = self.class_char(at + 1, start)
                if high < low:
                    raise _error("invalid character class range", text[start:at])
            ranges.append((low, high))
        self.at = at + 1
        folded_groups = (pair for found in complements for pair in negated(self.folded(found)))
        self.emit(class_text(merged([*self.folded(merged(ranges)), *folded_groups]), negate))

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
        if named or not text.startswith("(?", at):  # a name changes no match: Python's own rules for it are not Go's
            self.settle()
            self.groups.append(_Group(self.groups[-1].flags, start=len(self.out)))
            self.emit("(", atom=False)
            self.at = named or at + 1
            return
        on, off, kind, self.at = _perl_flags(text, at)
        group = self.groups[-1]
        python = "".join(f for f in on if f in "ms") + ("-" + "".join(f for f in off if f in "ms")).rstrip("-")
        opener = f"(?{python}:" if python else "(?:"  # (?i) and (?U) are read here, not by Python's re
        now = frozenset((group.flags | set(on)) - set(off))
        if kind == ":":
            self.settle()
            self.groups.append(_Group(now, start=len(self.out)))
            self.emit(opener, atom=False)
            return
        # the flags hold to the end of the group: a scoped group, closed with it, around each alternative; what a
        # repeat would repeat stays the atom before it (`a(?i)*` is `a*`), though a repeat on it may be repeated again
        group.flags = now
        group.scopes.append(opener)
        self.out.append(opener)
        self.after += 1
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
        self.settle()
        group = self.groups.pop()
        self.emit(")" * len(group.scopes) + ")", weight=group.weight, start=group.start)
        self.at += 1

    def alternative(self) -> None:
        scopes = self.groups[-1].scopes
        self.emit(")" * len(scopes) + "|" + "".join(scopes), atom=False)
        self.at += 1

    def braces(self) -> None:
        found = _REPEAT.match(self.text, self.at)
        if found is None:  # Go reads a { that starts no repeat as itself ({,3} among them)
            self.emit(r"\{")
            self.at += 1
            return
        low, _comma, high = found.groups()
        if int(low) > MAX_REPEAT or (high and (int(high) > MAX_REPEAT or int(high) < int(low))):
            raise _error("invalid repeat count", found[0])
        self.quantify(found[0], found.end(), int(high or low))

    def repeat(self) -> None:
        self.quantify(self.text[self.at], self.at + 1)

    def quantify(self, operator: str, end: int, count: int | None = None) -> None:
        stop = end + (self.text[end:end + 1] == "?")
        if self.repeated:  # Go stacks no repeats: a** and a*+ are errors, not a doubled star or a possessive one
            raise _error("invalid nested repetition operator", self.text[self.repeat_at:stop])
        if not self.atom:
            raise _error("missing argument to repetition operator", self.text[self.at:stop])
        if count is not None:
            if count * self.weight > MAX_REPEAT:
                raise _error("invalid repeat count", operator)
            self.weight *= count
        lazy = stop > end
        text = operator + ("?" if lazy != ("U" in self.groups[-1].flags) else "")
        at = len(self.out) - self.after  # before the flag groups that follow the atom
        if self.stacked:  # a*(?i)*: Go repeats the repeated atom
            self.out[self.atom_at:at] = ["(?:", *self.out[self.atom_at:at], ")"]
            at += 2
        self.out.insert(at, text)
        self.repeat_at, self.at, self.repeated, self.stacked = self.at, stop, True, True


def _perl_flags(text: str, at: int) -> tuple[str, str, str, int]:
    """The flags a flag group at `at` turns on and off, how it ends (":" opening a group, ")" not) and where, as
    regexp/syntax parsePerlFlags reads them; ValueError quoting what Go quotes: up to the character it stopped at
    (`(?x`, `(?i-)`, `(?=`, `(?<` before Go 1.22)."""
    on, off, signed, saw, end = "", "", False, False, at + 2
    while end < len(text):
        char = text[end]
        end += 1
        if char in "imsU":
            on, off, saw = (on, off + char, True) if signed else (on + char, off, True)
        elif char == "-" and not signed:
            signed, saw = True, False
        elif char in ":)" and (saw or not signed):
            return on, off, char, end
        else:
            break
    raise _error("invalid or unsupported Perl syntax", text[at:end])


def _escaped_char(text: str, at: int) -> tuple[int, int]:
    """The code point an escape (not a class, not an assertion) at `at` stands for, and where it ends; ValueError
    with Go's words for one Go refuses (a backreference, \\Z, \\u, \\g...)."""
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


def python_pattern(pattern: str, angle_names: bool = True) -> str:
    """The pattern, of Go's regexp syntax, as a Python re pattern matching the same strings; ValueError saying what
    Go says of one it refuses (or that obsgen cannot read it). angle_names: whether the Go that reads it takes
    `(?<name>re)` (1.22 on), or refuses it as Go 1.21 and before do."""
    return _Reader(pattern, angle_names).read()


@lru_cache(maxsize=1024)
def compile_go(pattern: str, angle_names: bool = True) -> re.Pattern[str]:
    """The pattern compiled as Go's regexp.Compile reads it (python_pattern), to search with (regexp.MatchString
    finds a match anywhere); ValueError if Go refuses it."""
    try:
        return re.compile(python_pattern(pattern, angle_names))
    except re.error as error:
        raise ValueError(f"error parsing regexp: obsgen cannot read it ({error}): `{pattern}`") from None


def matcher_regex(value: str, release: str) -> re.Pattern[str]:
    """A matcher's regex as that Alertmanager release compiles it (labels.NewMatcher: `^(?:value)$`), to search a
    label value with; ValueError with Go's words (amtool's) if it refuses it."""
    return compile_go(f"^(?:{value})$", ordered(release) >= ordered(ALERTMANAGER_GO_1_22))
