"""A label value inside a matcher's double quotes (LABEL="VALUE"), as the notifications print it for `obsgen ack`
and `obsgen ack` reads it back, the way amtool reads it.

amtool reads a matcher with Alertmanager's classic parser (0.25's pkg/labels/parse.go; from 0.27 matcher/oldparse,
which the default fallback mode of matcher/compat returns whenever the UTF-8 parser reads the text otherwise): inside
the quotes it unescapes \\\\, \\" and \\n only and keeps any other backslash, so "a\\tb" is a backslash and a t, not a
tab. A control character other than the line feed is therefore given raw, which no escape can say; the printed
command has the shell write it (printf, as obsgen.ack.argument explains) rather than holding it raw itself, which a
copy from a terminal or a mail would lose.
"""

from __future__ import annotations

import re

NAMED = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
CONTROL = [chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))] + ["\u2028", "\u2029"]
"""C0 and C1 controls, DEL, and the line and paragraph separators: never written raw in a printed command."""


def _escape(char: str) -> str:
    code = ord(char)
    return NAMED.get(char) or (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")


ESCAPES = {"\\": "\\\\", '"': '\\"', **{char: _escape(char) for char in CONTROL}}
"""Each character escaped inside the quotes, and how."""
JSON_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
JSON_CONTROL_PATTERNS = tuple((f"\\x{{{code:x}}}", JSON_NAMED.get(chr(code), f"\\u{code:04x}")) for code in range(0x20))
"""(RE2 pattern, escape) of each character a JSON string holds only escaped (U+0000-U+001F), escaped as JSON.stringify
writes it: the filter value of a UI link for an Alertmanager whose UI decodes it with Elm's Json.Decode (0.32.0 on)."""
SHELL_NAMED = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
"""The escapes POSIX printf's format names; any other byte is written in octal."""


def _printed(char: str) -> str:
    return SHELL_NAMED.get(char) or "".join(f"\\{byte:03o}" for byte in char.encode())


SHELL_WRITTEN = tuple(char for char in CONTROL if char not in "\x00\n")
"""What the printed command has the shell write inside a matcher's value: every control character and separator but
the line feed (the classic parser's \\n) and NUL (which no command line can hold: obsgen.ack.argument matches it by a
regular expression instead)."""
SHELL_PATTERNS = tuple((f"\\x{{{ord(char):x}}}", f"'\"$$(printf '{_printed(char)}')\"'") for char in SHELL_WRITTEN)
"""(RE2 pattern, replacement) of each character in SHELL_WRITTEN, for a value already inside a single-quoted shell
word: close the quote, the character as printf writes it in a command substitution (double-quoted: one word, and
nothing but trailing line feeds is stripped), reopen the quote. $$ is reReplaceAll's literal $."""
LINE_FEED_PATTERNS = (("\\x{a}", "\\n"),)
"""(RE2 pattern, escape) of the line feed, the one control character the classic parser reads escaped."""
REGEX_SPECIAL = r"[\\.+*?()|\[\]{}^$]"
"""An RE2 pattern of the characters RE2 reads specially (regexp.QuoteMeta's), for quoting a value as a regex."""
_UNESCAPED = {"\\": "\\", '"': '"', "n": "\n"}
RE2_SPACES = r"[\t\n\f\r ]*"
"""A regex fragment: any run of what RE2's \\s matches (Go's regexp, which runs the classic parser's matcher
regex); not Python's \\s (which also takes \\v and Unicode spaces), nor Go's unicode.IsSpace
(matcher_parse.UNICODE_SPACES)."""
CLASSIC_MATCHER = re.compile(
    rf"^{RE2_SPACES}([a-zA-Z_:][a-zA-Z0-9_:]*){RE2_SPACES}(=~|=|!=|!~){RE2_SPACES}(.*?){RE2_SPACES}\Z", re.DOTALL)
"""The classic parser's matcher (pkg/labels/parse.go): name, operator and value, whitespace around each dropped."""
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def quoted(value: str) -> str:
    """The value as obsgen ack shows it between a matcher's double quotes (--list): control characters escaped as Go's
    strconv.Quote writes them, for the eye."""
    return "".join(ESCAPES.get(char, char) for char in value)


def filtered(value: str) -> str:
    """The value as written between the quotes of an API filter's matcher: \\, \" and \n escaped, every other
    character raw, as Alertmanager 0.25's parser reads it (it keeps the backslash of \\t, and tolerates raw line
    feeds and controls)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unquoted(text: str) -> str:
    """The value written between the quotes, as amtool's classic parser reads it: \\\\, \\" and \\n unescaped, a
    backslash before anything else (or at the end) kept."""
    return _ESCAPE.sub(lambda escape: _UNESCAPED.get(escape[1], escape[0]), text)


def classic_matcher(text: str) -> tuple[str, str, str]:
    """(name, operator, value) of one matcher as amtool's classic parser (pkg/labels/parse.go ParseMatcher) reads it:
    whitespace around each part dropped, the value unescaped (\\\\, \\" and \\n; another backslash, or one at the
    end, kept) whether quoted or not; a double quote is allowed only as the first and last character, both or
    neither. ValueError, with amtool's words, otherwise."""
    found = CLASSIC_MATCHER.match(text)
    if found is None:
        raise ValueError(f"bad matcher format: {text}")
    name, operator, raw = found.groups()
    quoted_value = raw.startswith('"')
    body = raw[1:] if quoted_value else raw
    closing = body.endswith('"') and not _escaped_at_end(body[:-1]) if quoted_value else False
    inside = body[:-1] if closing else body
    if quoted_value != closing or _has_bare_quote(inside):
        raise ValueError(f"matcher value contains unescaped double quote: {raw}")
    return name, operator, unquoted(inside)


def _escaped_at_end(text: str) -> bool:
    """Whether the character after text is escaped: an odd run of backslashes ends it."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _has_bare_quote(text: str) -> bool:
    """Whether a double quote in text is not escaped by a backslash (\\\\ being an escaped backslash)."""
    return any(char == '"' for char in _ESCAPE.sub("", text))


PLAIN_VALUE = r"[-A-Za-z0-9_.:/@%+,]"
"""An RE2 (and Python) pattern of a character of a label value the printed command writes as it is (LABEL=VALUE):
nothing a shell or obsgen ack reads apart (obsgen.ack.argument reads it too)."""
PLAIN_ARGUMENT = re.compile(f"{PLAIN_VALUE}*\\Z")


SHELL_PLAIN = r"[-A-Za-z0-9_.:/@%+,=]"
"""An RE2 (and Python) pattern of a character no POSIX shell reads specially: a word of them alone is printed as it is
(obsgen.shell.word)."""


def shell_word(text: str) -> str:
    """The text as one word of a POSIX shell command, as the notifications print one (obsgen.shell.word): as it is
    when plain, else single-quoted, each single quote written '\\'' (close, an escaped quote, reopen)."""
    return text if re.fullmatch(f"{SHELL_PLAIN}+", text) else "'" + text.replace("'", "'\\''") + "'"


def ack_argument(name: str, value: str) -> str:
    """LABEL=VALUE as the notifications print it for `obsgen ack` (obsgen.ack.argument): as it is when plain, else
    the matcher amtool reads (\\, \\" and \\n escaped in the quotes) in one single-quoted shell word, each other
    control character written by the shell (printf), a NUL matched by a regular expression."""
    if PLAIN_ARGUMENT.match(value):
        return f"{name}={value}"
    operator = "="
    if "\x00" in value:  # no command line holds a NUL
        operator, value = "=~", re.sub(REGEX_SPECIAL, lambda special: f"\\{special[0]}", value).replace("\x00", "\\x00")
    text = filtered(value).replace("'", "'\\''")
    for char in SHELL_WRITTEN:
        text = text.replace(char, f"'\"$(printf '{_printed(char)}')\"'")
    return f"'{name}{operator}\"{text}\"'"
