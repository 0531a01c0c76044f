"""A label value inside a matcher's double quotes (LABEL="VALUE"), as the notifications print it for `obsgen ack`
and `obsgen ack` reads it back.

Alertmanager 0.25's parser (pkg/labels/parse.go) unescapes \\\\, \\" and \\n and keeps any other backslash; its
matcher/parse (0.27 and later) reads the value with Go's strconv.Unquote, which also reads \\t, \\r, \\xHH, \\uHHHH...
Control characters and line separators are written escaped as strconv.Quote writes them, so that the printed command
survives being copied (a tab becomes spaces in a terminal, a carriage return or U+2028 breaks a mail's line).
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
CONTROL_PATTERNS = tuple((f"\\x{{{ord(char):x}}}", ESCAPES[char]) for char in CONTROL)
"""(RE2 pattern, escape) of each control character, for the notification template's reReplaceAll chain."""
JSON_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
JSON_CONTROL_PATTERNS = tuple((f"\\x{{{code:x}}}", JSON_NAMED.get(chr(code), f"\\u{code:04x}")) for code in range(0x20))
"""(RE2 pattern, escape) of each character a JSON string holds only escaped (U+0000-U+001F), escaped as JSON.stringify
writes it: the filter value of a UI link for an Alertmanager whose UI decodes it with Elm's Json.Decode (0.32.0 on)."""
UNESCAPED = {"\\": "\\", '"': '"', "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def quoted(value: str) -> str:
    """The value as written between a matcher's double quotes."""
    return "".join(ESCAPES.get(char, char) for char in value)


def filtered(value: str) -> str:
    """The value as written between the quotes of an API filter's matcher: \\, \" and \n escaped, every other
    character raw, as Alertmanager 0.25's parser reads it (it keeps the backslash of \\t, and tolerates raw line
    feeds and controls)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unquoted(text: str) -> str:
    """The value written between the quotes; a backslash before anything else is kept, as Alertmanager 0.25 keeps
    it."""
    def one(escape: re.Match[str]) -> str:
        body = escape[1]
        if len(body) > 1:
            code = int(body[1:], 16)
            return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else escape[0]
        return UNESCAPED.get(body, escape[0])
    return _ESCAPE.sub(one, text)
