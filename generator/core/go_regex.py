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
has no script table; general categories, `\\pL`, `\\p{Lu}`, are read from unicodedata, whose Unicode version may
differ from Go's by a few recent characters). Taken though Alertmanager 0.25 (Go before 1.22) refuses it: `(?<name>`,
which later Go reads as `(?P<name>`; amtool's check (obsgen apply, obsgen check) still says what the running release
refuses. Read otherwise: (?i) folds as Python's re does, which also folds a few characters Go's unicode.SimpleFold
does not (`(?i)I` takes the dotless i, U+0131, `(?i)i` the dotted I, U+0130), and refused though Go takes it: a
repeat after a flag group, `a(?i)*`.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

Ranges = tuple[tuple[int, int], ...]
"""A character class as sorted, disjoint (low, high) code point ranges."""
MAX_RUNE = sys.maxunicode
PERL: dict[str, Ranges] = {"d": ((0x30, 0x39),), "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
                           "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))}
"""Go's \\d, \\s and \\w: ASCII only (\\s without \\v)."""
POSIX: dict[str, Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)), "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),), "blank": ((0x09, 0x09), (0x20, 0x20)), "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),), "graph": ((0x21, 0x7E),), "lower": ((0x61, 0x7A),), "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)), "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),), "word": PERL["w"], "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66))}
"""The ASCII classes Go reads inside brackets, [[:alpha:]]."""
CATEGORIES = frozenset(("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
                        "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C",
                        "Cc", "Cf", "Co", "Cs"))
"""The Unicode general categories Go's \\p reads (its "C" has no unassigned code points)."""
MAX_REPEAT = 1000
"""Go's largest repeat count (regexp/syntax maxRepeat... `{1001}` is an invalid repeat count)."""
_REPEAT = re.compile(r"\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}")
"""A repeat count as regexp/syntax parseRepeat takes it: parseInt refuses a leading zero, so `a{01}` is literal text."""
_NAMED = re.compile(r"\(\?P?<[A-Za-z0-9_]+>")
"""A named group's opening (regexp/syntax isValidCaptureName): Go takes a name starting with a digit, and one name
given twice (regexp.SubexpIndex: "multiple subexpressions can be written using the same name"); Python's re neither."""
_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_UNSUPPORTED = ("(?=", "(?!", "(?<=", "(?<!", "(?>", "(?#", "(?P=", "(?P>", "(?(")
_SIMPLE_ESCAPES = "afnrtv"


def _error(what: str, text: str) -> ValueError:
    return ValueError(f"error parsing regexp: {what}: `{text}`")


def _merged(ranges: list[tuple[int, int]]) -> Ranges:
    found: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if found and low <= found[-1][1] + 1:
            found[-1] = (found[-1][0], max(high, found[-1][1]))
        else:
            found.append((low, high))
    return tuple(found)


def _negated(ranges: Ranges) -> Ranges:
    found, at = [], 0
    for low, high in ranges:
        if low > at:
            found.append((at, low - 1))
        at = high + 1
    return (*found, (at, MAX_RUNE)) if at <= MAX_RUNE else tuple(found)


@cache
def _category(name: str) -> Ranges:
    """The code points of a general category (or of every category of a letter, L), read once when asked."""
    ranges: list[tuple[int, int]] = []
    for code in range(MAX_RUNE + 1):
        category = unicodedata.category(chr(code))
        if category != "Cn" and category.startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return tuple(ranges)


def _class(ranges: Ranges, negated: bool = False) -> str:
    body = "".join(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
    return f"[{'^' * negated}{body}]" if body else ("(?s:.)" if negated else "(?!)")


@dataclass
class _Group:
    """A group being read: its flags (of i, m, s, U), the scoped flag groups a (?flags) opened in it, which
    close with it and around each of its alternatives, and the weight of its heaviest atom (_Reader.weight)."""

    flags: frozenset[str]
    scopes: list[str] = field(default_factory=list)
    weight: int = 1


class _Reader:
    """One pattern read left to right into Python's dialect."""

    def __init__(self, pattern: str) -> None:
        self.text, self.at = pattern, 0
        self.out: list[str] = []
        self.groups = [_Group(frozenset())]
        self.atom = False  # what a repeat would repeat: none after (, | or a flag group
        self.repeated, self.repeat_at = False, 0
        self.weight = 1
        """The last atom's weight: the product of the counted repeats ({n,m}'s m, {n,}'s n) in it and on it, at most
        MAX_REPEAT along any nesting (regexp/syntax repeatIsValid: `(a{500}){3}` is an invalid repeat count)."""

    def emit(self, text: str, atom: bool = True, weight: int = 1) -> None:
        self.settle()
        self.out.append(text)
        self.atom, self.repeated, self.weight = atom, False, weight

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
                self.emit("(?:^)" if char == "^" else "." if char == "." else re.escape(char))
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
            if literal:
                self.emit(re.escape(literal))
            return
        assertions = {"A": r"(?:\A)", "z": r"(?:\Z)", "b": r"(?a:\b)", "B": r"(?a:\B)"}
        if letter in assertions:
            self.emit(assertions[letter])
            self.at += 2
            return
        ranges, negated, self.at = self.class_escape(at)
        if ranges is not None:
            self.emit(_class(ranges, negated))  # [^...]: under (?i) folded before the complement is taken, as Go does
            return
        code, self.at = _escaped_char(text, at)
        self.emit(re.escape(chr(code)) if 0x20 <= code < 0x7F else f"\\U{code:08x}")

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
        negated = (letter == "P") != name.startswith("^")
        name = name.removeprefix("^")
        if name == "Any":
            ranges: Ranges = ((0, MAX_RUNE),)
        elif name in CATEGORIES:
            ranges = _category(name)
        elif name.isalpha() and name.isascii():
            raise ValueError(f"error parsing regexp: obsgen cannot read Unicode script classes such as "
                             f"`{text[at:end]}` (Python has no script table; Go may take it): `{text}`")
        else:
            raise _error("invalid character class range", text[at:end])
        return ranges, negated, end

    def bracket(self) -> None:
        text, start = self.text, self.at
        at = start + 1
        negated = text[at:at + 1] == "^"
        at += negated
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
        self.emit(self.union(ranges, complements, negated))

    def union(self, ranges: list[tuple[int, int]], complements: list[Ranges], negated: bool) -> str:
        """A bracket's class: its ranges and the complements of `complements`, all negated for [^...]. Under (?i) Go
        folds a class given negated (\\W, \\PL, [:^alpha:]) before taking its complement (regexp/syntax appendGroup),
        where Python folds the written set: each complement is then written as a [^...] of its own."""
        if not complements or "i" not in self.groups[-1].flags:
            return _class(_merged([*ranges, *(pair for found in complements for pair in _negated(found))]), negated)
        if negated:  # none of ranges, and in each class complemented
            ahead = "".join(f"(?={_class(found)})" for found in complements)
            return f"(?:(?!{_class(_merged(ranges))}){ahead}(?s:.))"
        return "(?:" + "|".join([_class(_merged(ranges)), *(_class(found, True) for found in complements)]) + ")"

    def class_char(self, at: int, start: int) -> tuple[int, int]:
        """One character of a bracket (itself, or an escape) and where it ends."""
        if at >= len(self.text):
            raise _error("missing closing ]", self.text[start:])
        if self.text[at] != "\\":
            return ord(self.text[at]), at + 1
        return _escaped_char(self.text, at)

    def open(self) -> None:
        self.settle()
        text, at = self.text, self.at
        named = _NAMED.match(text, at)
        if named or not text.startswith("(?", at):  # a name changes no match: Python's own rules for it are not Go's
            self.groups.append(_Group(self.groups[-1].flags))
            self.emit("(", atom=False)
            self.at = named.end() if named else at + 1
            return
        flags = None if text.startswith(_UNSUPPORTED, at) else _FLAGS.match(text, at)
        if flags is None or flags[2] == "":  # (?i-) turns nothing off: Go refuses it
            raise _error("invalid or unsupported Perl syntax", text[at:at + 3])
        on, off, kind = flags[1], flags[2] or "", flags[3]
        group = self.groups[-1]
        python = "".join(f for f in on if f != "U") + ("-" + "".join(f for f in off if f != "U")).rstrip("-")
        opener = f"(?{python}:" if python else "(?:"
        now = (group.flags | set(on)) - set(off)
        self.at = flags.end()
        if kind == ":":
            self.groups.append(_Group(frozenset(now)))
        else:  # the flags hold to the end of the group: a scoped group, closed with it, around each alternative
            group.flags = frozenset(now)
            group.scopes.append(opener)
        self.emit(opener, atom=False)

    def close(self) -> None:
        if len(self.groups) == 1:
            raise _error("unexpected )", self.text)
        self.settle()
        group = self.groups.pop()
        self.emit(")" * len(group.scopes) + ")", weight=group.weight)
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
        self.out.append(operator + ("?" if lazy != ("U" in self.groups[-1].flags) else ""))
        self.repeat_at, self.at, self.repeated = self.at, stop, True


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


def python_pattern(pattern: str) -> str:
    """The pattern, of Go's regexp syntax, as a Python re pattern matching the same strings; ValueError saying what
    Go says of one it refuses (or that obsgen cannot read it)."""
    return _Reader(pattern).read()


@lru_cache(maxsize=1024)
def compile_go(pattern: str) -> re.Pattern[str]:
    """The pattern compiled as Go's regexp.Compile reads it (python_pattern), to search with (regexp.MatchString
    finds a match anywhere); ValueError if Go refuses it."""
    try:
        return re.compile(python_pattern(pattern))
    except re.error as error:
        raise ValueError(f"error parsing regexp: obsgen cannot read it ({error}): `{pattern}`") from None


def matcher_regex(value: str) -> re.Pattern[str]:
    """A matcher's regex as Alertmanager compiles it (labels.NewMatcher: `^(?:value)$`), to search a label value
    with; ValueError with Go's words (amtool's) if Alertmanager refuses it."""
    return compile_go(f"^(?:{value})$")
