"""One line of an alertmanager.yml's `matchers` list (or `source_matchers`, `target_matchers`) read as the Alertmanager
release that runs it reads it: a list of matchers, `{a="b", c=~"d"}` or `a="b", c=~"d"` being two.

config.Matchers' UnmarshalYAML parses each line with a parser of matcher lists and appends all it returns (0.25:
pkg/labels.ParseMatchers; from 0.27 matcher/compat.Matchers, whose default fallback mode returns the classic
parser's list whenever it reads the line, else the UTF-8 parser's, matcher/compat FallbackMatchersParser).

The classic parser (0.25's pkg/labels/parse.go ParseMatchers): a leading `{` and a trailing `}` are trimmed, each on
its own; the rest is split at the commas outside double quotes (a quote after a backslash opens or closes nothing),
the last part whitespace-trimmed and dropped when empty, and every part is one matcher of ParseMatcher (a legacy name,
its value unescaped: generator.core.matcher_text.classic_matcher); so "" and "{}" are no matchers, `a=b,` one, and
`a="b",,c="d"` an error (its empty part). The UTF-8 parser (matcher/parse, 0.27 on): an optional `{` closed by a
`}`, matchers separated by commas with one optional trailing comma, each `name op value` whose name and value are
double-quoted Go strings or bare tokens without the characters it reserves, e.g. `{"service.name"="api", env=prod}`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from generator.core.matcher_text import classic_matcher
from generator.core.releases import ordered

Matcher = tuple[str, str, str]
"""(name, op, value) of one matcher, op one of =, !=, =~, !~."""
UNICODE_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                 "\u2028\u2029\u202f\u205f\u3000"
"""The characters of Go's unicode.IsSpace (a set, not a regex): what strings.TrimSpace trims, what the UTF-8 parser's
lexer skips. Not RE2's \\s, which takes fewer (matcher_text.RE2_SPACES)."""
_GO_STRING = r'"(?:[^"\\\n]|\\.)*"'
_SPACES = f"[{re.escape(UNICODE_SPACES)}]*"
"""What the UTF-8 parser's lexer skips between tokens: Go's spaces, not re's \\s (which takes U+001C-U+001F too)."""
_BARE = f"""[^"{re.escape(UNICODE_SPACES)}{{}}!=~,\\\\'`]"""
"""A character of a bare token of the UTF-8 parser: not a Go space and none of {}!=~,\\"'` (matcher/parse/lexer.go
isReserved: unicode.IsSpace or one of those)."""
_UTF8_TOKEN = re.compile(rf"{_SPACES}(?:([{{}},]|=~|!~|!=|=)|({_GO_STRING})|({_BARE}+))", re.DOTALL)
"""One token of the UTF-8 parser's lexer after any spaces: punctuation or an operator, a quoted string, a bare word."""
_OPERATORS = ("=", "!=", "=~", "!~")
_GO_ESCAPE = re.compile(r'\\(?:([abfnrtv\\"])|x([0-9a-fA-F]{2})|([0-7]{3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))')
_GO_NAMED = {"a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v", "\\": b"\\",
             '"': b'"'}


def go_unquote(token: str) -> str:
    """A bare token as it is, a double-quoted one as Go's strconv.Unquote reads it (Alertmanager's UTF-8 matchers,
    LogQL's strings); ValueError if it cannot."""
    if not token.startswith('"'):
        return token
    body, out, at = token[1:-1], bytearray(), 0
    if "\n" in body:
        raise ValueError("a newline inside a double-quoted string")
    for escape in _GO_ESCAPE.finditer(body):
        if "\\" in body[at:escape.start()]:
            break
        out += body[at:escape.start()].encode()
        named, hexa, octal, short, long = escape.groups()
        if named:
            out += _GO_NAMED[named]
        elif hexa or octal:
            out.append(int(hexa, 16) if hexa else int(octal, 8))
        else:
            out += chr(int(short or long, 16)).encode()
        at = escape.end()
    if "\\" in body[at:]:
        raise ValueError(f"invalid escape in {token}")
    return (out + body[at:].encode()).decode()


def classic_parts(line: str) -> list[str]:
    """The parts pkg/labels.ParseMatchers reads one matcher from each: the line without a leading `{` and a trailing
    `}`, split at the commas outside quotes, the last part trimmed and dropped when empty."""
    text = line.removeprefix("{").removesuffix("}")
    parts, part, inside, escaped = [], "", False, False
    for char in text:
        if char == "," and not inside:
            parts.append(part)
            part = ""
            continue
        if char == '"':
            inside, escaped = inside != (not escaped), False  # an escaped quote opens or closes nothing
        elif char == "\\":
            escaped = not escaped
        elif char != ",":  # a comma inside quotes leaves the escape as it was (Go's switch: case ',' does nothing)
            escaped = False
        part += char
    last = part.strip(UNICODE_SPACES)
    return [*parts, last] if last else parts


def classic_matchers(line: str) -> list[Matcher]:
    """The line as 0.25's parser (pkg/labels.ParseMatchers) reads it; ValueError with its words if it cannot."""
    return [classic_matcher(part) for part in classic_parts(line)]


def _utf8_tokens(line: str) -> list[str]:
    """The line's tokens, up to its last character that is not a space (found once: looking for one in the rest of
    the line at each token copied the rest, quadratic in a long line)."""
    tokens, at, end = [], 0, len(line.rstrip(UNICODE_SPACES))
    while at < end:
        found = _UTF8_TOKEN.match(line, at)
        if found is None:
            raise ValueError(f"{line[at:end].lstrip(UNICODE_SPACES)[:1]}: invalid input")
        tokens.append(next(token for token in found.groups() if token is not None))
        at = found.end()
    return tokens


def utf8_matchers(line: str) -> list[Matcher]:
    """The line as the UTF-8 parser (matcher/parse.Matchers, 0.27 on) reads it; ValueError if it cannot."""
    tokens = _utf8_tokens(line)
    braced = tokens[:1] == ["{"]
    if braced != (tokens[-1:] == ["}"]) or (braced and len(tokens) == 1):
        raise ValueError("a { without its } or a } without its {")
    body = tokens[1:-1] if braced else tokens
    found = []
    for at in range(0, len(body), 4):  # name op value, then a comma (optional after the last)
        if len(body[at:at + 4]) < 3:
            raise ValueError(f"expected name op value at {' '.join(body[at:])}")
        name, op, value, *comma = body[at:at + 4]
        if op not in _OPERATORS or value in (*_OPERATORS, *"{},") or name in (*_OPERATORS, *"{},") or \
                comma not in ([], [","]):
            raise ValueError(f"expected name op value at {' '.join(body[at:at + 4])}")
        try:
            name, value = go_unquote(name), go_unquote(value)
        except (ValueError, UnicodeDecodeError):
            raise ValueError(f"{name} or {value} is no Go string") from None
        if not name:
            raise ValueError("an empty label name")
        found.append((name, op, value))
    return found


UTF8_NAMES = (0, 27, 0)
"""The first Alertmanager with UTF-8 label names (CHANGELOG 0.27.0: #3453, #3483, #3567, #3570): its matchers'
UTF-8 parser, and Matcher.String quoting a name with a reserved character."""


def utf8_names(release: str) -> bool:
    """Whether this Alertmanager release (X.Y.Z) reads and writes UTF-8 label names (0.27.0 on)."""
    return ordered(release) >= UTF8_NAMES


def release_matchers(line: str, release: str) -> list[Matcher]:
    """Every matcher of one line of a `matchers` list as Alertmanager `release` (X.Y.Z) reads it: the one place that
    decides it (parse_matchers, with the UTF-8 parser from 0.27.0); ValueError if that release cannot read it."""
    return parse_matchers(line, utf8_names(release))


def parse_matchers(line: str, utf8: bool = False) -> list[Matcher]:
    """Every matcher of one line of a `matchers` list, as Alertmanager reads it: its classic parser's reading, else
    (utf8: from 0.27) the UTF-8 parser's; ValueError if neither reads it."""
    return list(_parsed(line, utf8))


@lru_cache(maxsize=4096)
def _parsed(line: str, utf8: bool) -> tuple[Matcher, ...]:
    """parse_matchers' reading, kept: one file's lines are read by several readers (alert_routing.RouteTree, each
    route's group key once, group_key._node; the inhibit rules; package.alertmanagerconfig), and a tree has few."""
    return tuple(_read(line, utf8))


def _read(line: str, utf8: bool) -> list[Matcher]:
    refused = f"matchers {line!r}: is not name op value, comma-separated"
    try:
        return classic_matchers(line)
    except ValueError as classic:
        if not utf8:
            raise ValueError(f"{refused} ({classic})") from None
        refused += f" ({classic}"
    try:
        return utf8_matchers(line)
    except ValueError as error:
        raise ValueError(f"{refused}; {error})") from None
