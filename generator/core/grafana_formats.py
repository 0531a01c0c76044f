"""A variable's value written with a format, `${var:regex}`, `[[var:csv]]`, as Grafana 12 writes it.

grafana/scenes packages/scenes/src/variables/interpolation/sceneInterpolator.ts: a format written after the name
takes the place of the data source's own escaping (the Prometheus one's, grafana_interpolation.formatted), and
formatValue hands the format what the variable holds (getValue): a string for a single-value variable, a list for
a multi-value one, the values of all its options for All, or, for All with a custom all value, that value, which
CustomAllValue (MultiValueVariable.ts) writes as it is for every format but `text` ("All"), `percentencode` (it,
percent-encoded) and `queryparam`. formatRegistry.ts then writes it:

- `raw` as it is (a list comma-joined); `csv` and `pipe` a list joined by `,` and `|`; `glob` a list of several as
  `{a,b}`; `distributed` a list comma-joined, each value after the first written `<name>=<value>`; `regex` each
  value with escapeRegex (grafana-data text/string.ts: `\\^$*+?.()|[]{}/` take a backslash), several as `(a|b)`;
  `json` a list as JSON, a string as it is; `text` the text the variable shows (getValueText: "All", or the texts of
  its values joined by ` + `);
- `singlequote`, `doublequote` each value quoted, its quotes backslashed, joined by `,`; `sqlstring` each in single
  quotes, `'` doubled and `"` backslashed; `lucene` a string lucene-escaped (left as it is when it reads as a
  number), a list as `("a" OR "b")`, an empty one `__empty__`;
- `percentencode` encodeURIComponent, `!'()*` encoded too, a list as `{a,b}` encoded; `queryparam` the variable's
  URL state (`var-<name>=<value>`, one per value, urlUtil.toUrlParams' encoding; the value `$__all` for All), or,
  for a variable without one (a constant), `var-<name>=` and its value percent-encoded;
- `join` a list joined by its argument (`${var:join: | }`; `,` without one); `html` a value (a list joined by `, `)
  with `&<>'"` escaped; `uriencode` encodeURI, `!'()*` encoded too, a list as `{a,b}`; `customqueryparam` each
  value `<name>=<prefix><value>`, joined by `&`, the name its first argument or the variable's, the prefix its
  second, each percent-encoded;
- `date` reads the value as JavaScript's parseInt does, epoch milliseconds (`NaN` for one it cannot read, a list
  included), and writes it: its argument `ms` as written, `seconds` divided by 1000 and rounded, `iso` (the
  default) as toISOString, any other as moment's format() (core/moment_format.py; several arguments are one format
  rejoined by `:`, `${var:date:HH:mm}`), in the browser's zone, which the preview takes to be UTC;
- any other name falls back to `glob` (Grafana logs "Variable format ... not found").

A query variable whose options the preview does not know (its query failed; the lint asks no server) holds `.*` for
All, written as it is, as a custom all value is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from generator.core.moment_format import moment_format

Held = str | list[str]
REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")
LUCENE_SPECIAL = re.compile(r"""([!*+\-=<>\s&|()\[\]{}^~?:\\/"])""")
JS_NUMBER = re.compile(r"\s*+(?:[+-]?(?:\d++\.?+\d*+|\.\d++)(?:[eE][+-]?\d++)?+|[+-]?Infinity|0[xX][0-9a-fA-F]++"
                       r"|0[oO][0-7]++|0[bB][01]++)?\s*")
"""What JavaScript's Number() reads as a number (blank is 0): luceneEscape leaves such a value as it is. Its runs
are possessive (each is followed by a character outside it): a variable's value of 20k digits then a letter, or of
blanks, was split every way between them, 11 s."""
JS_INT = re.compile(r"\s*([+-]?\d+)")
"""What JavaScript's parseInt(value, 10) reads: blanks, a sign, digits; the rest is ignored."""
JS_DIGITS = 309
"""Digits past which a JavaScript number is Infinity (with 309, one past 1.8e308 is too)."""
MOST_MS = 8.64e15
"""The farthest a JavaScript Date reaches from 1970, in milliseconds: beyond, moment's date is invalid."""
URI_KEPT = ";,/?:@&=+$#"
"""What encodeURI leaves as it is besides letters, digits and `-_.!~*'()` (of which encodeURIStrict encodes
`!'()*`)."""
ANGULAR_KEPT = {"%40": "@", "%3A": ":", "%24": "$", "%2C": ",", "%3B": ";"}
"""What urlUtil.toUrlParams (encodeURIComponentAsAngularJS) decodes again after encodeURIComponent."""


@dataclass(frozen=True)
class Holding:
    """What a variable holds, as a format reads it: its name, its value (getValue), the text it shows (getValueText),
    a custom all value in place of the value (CustomAllValue), and its URL state (None: it has no URL sync)."""

    name: str
    value: Held
    text: str
    custom_all: str | None = None
    url: Held | None = None


class VariableText(str):
    """The text a variable writes into a query without a format (the data source's escaping), and what it holds, for
    a format."""

    holding: Holding

    def __new__(cls, text: str, holding: Holding) -> VariableText:
        made = super().__new__(cls, text)
        made.holding = holding
        return made


def strict_encoded(value: str) -> str:
    """encodeURIComponentStrict: encodeURIComponent with `!'()*` encoded too (RFC 3986)."""
    return quote(value, safe="")


def _url_encoded(value: str) -> str:
    """encodeURIComponentAsAngularJS(value, pctEncodeSpaces=true), as toUrlParams encodes a key or a value."""
    return re.sub(r"%(40|3A|24|2C|3B)", lambda found: ANGULAR_KEPT[found.group()], strict_encoded(value))


def _each(value: Held, write: Callable[[str], str], joined: str) -> str:
    return joined.join(write(item) for item in value) if isinstance(value, list) else write(value)


def _joined(value: Held, separator: str) -> str:
    return _each(value, str, separator)


def escape_regex(value: str) -> str:
    """grafana-data escapeRegex."""
    return REGEX_SPECIAL.sub(lambda found: "\\" + found.group(), value)


def alternatives(values: list[str], escape: Callable[[str], str]) -> str:
    """Values each escaped, one bare, several (or none) as `(a|b)`: the `regex` format's list, and the Prometheus data
    source's for a multi-value variable (grafana_interpolation)."""
    escaped = [escape(value) for value in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def _regex(value: Held) -> str:
    return alternatives(value, escape_regex) if isinstance(value, list) else escape_regex(value)


def lucene_escape(value: str) -> str:
    """formatRegistry's luceneEscape: a value Number() reads is left as it is."""
    if JS_NUMBER.fullmatch(value):
        return value
    return LUCENE_SPECIAL.sub(r"\\\1", value)


def _lucene(value: Held) -> str:
    if not isinstance(value, list):
        return lucene_escape(value)
    return "(" + " OR ".join(f'"{lucene_escape(item)}"' for item in value) + ")" if value else "__empty__"


def _quoted(mark: str, escaped: Callable[[str], str]) -> Callable[[Held], str]:
    return lambda value: _each(value, lambda item: mark + escaped(item) + mark, ",")


def _query_param(holding: Holding) -> str:
    if holding.url is None:
        return _each(holding.value, lambda item: f"var-{holding.name}={strict_encoded(item)}", "&")
    key = _url_encoded(f"var-{holding.name}")
    return _each(holding.url, lambda item: f"{key}={_url_encoded(item)}", "&")


def _distributed(holding: Holding) -> str:
    if not isinstance(holding.value, list):
        return holding.value
    return ",".join(item if index == 0 else f"{holding.name}={item}" for index, item in enumerate(holding.value))


def js_round(number: float) -> int:
    """JavaScript's Math.round of a finite number: halves up."""
    return math.floor(number + 0.5)


def _js_text(number: float) -> str:
    """JavaScript's String() of a number."""
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return str(int(number)) if number.is_integer() and abs(number) < 1e21 else repr(number)


def _js_number(digits: str) -> float:
    """The number JavaScript's parseInt makes of a signed run of digits: a double, ±Infinity past its range."""
    if len(digits.lstrip("+-").lstrip("0")) <= JS_DIGITS:  # longer: past a double, and past Python's int limit
        try:
            return float(int(digits))
        except OverflowError:  # 309 digits past 1.8e308
            pass
    return -math.inf if digits.startswith("-") else math.inf


def _date(value: Held, args: list[str]) -> str:
    read = JS_INT.match(value) if isinstance(value, str) else None
    if read is None:
        return "NaN"
    written, number = args[0] if args else "iso", _js_number(read.group(1))
    if written == "ms":
        return str(value)
    if written == "seconds":
        return _js_text(float(js_round(number / 1000)) if math.isfinite(number) else number)
    try:
        if abs(number) > MOST_MS:
            raise ValueError("past JavaScript's dates")
        return moment_format(int(number), "YYYY-MM-DD[T]HH:mm:ss.SSS[Z]" if written == "iso" else ":".join(args))
    except ValueError:  # toISOString's null, format()'s "Invalid date"; also a year Python's datetime does not hold
        return "null" if written == "iso" else "Invalid date"


def _custom_query_param(holding: Holding, args: list[str]) -> str:
    name = strict_encoded(args[0] if args and args[0] else holding.name)
    prefix = strict_encoded(args[1] if len(args) > 1 else "")
    return _each(holding.value, lambda item: f"{name}={prefix}{strict_encoded(item)}", "&")


def _html(value: Held) -> str:
    return (_joined(value, ", ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
            .replace('"', "&quot;"))


def _braced(value: Held) -> str:
    """A list as `{a,b}` (glob's, and the text percentencode and uriencode encode), a value as it is."""
    return "{" + ",".join(value) + "}" if isinstance(value, list) else value


def _glob(value: Held) -> str:
    return "".join(value) if isinstance(value, list) and len(value) < 2 else _braced(value)


FORMATS: dict[str, Callable[[Held], str]] = {
    "raw": lambda value: _joined(value, ","),
    "csv": lambda value: _joined(value, ","),
    "pipe": lambda value: _joined(value, "|"),
    "glob": _glob,
    "regex": _regex,
    "json": lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, list) else value,
    "singlequote": _quoted("'", lambda item: item.replace("'", "\\'")),
    "doublequote": _quoted('"', lambda item: item.replace('"', '\\"')),
    "sqlstring": _quoted("'", lambda item: item.replace("'", "''").replace('"', '\\"')),
    "lucene": _lucene,
    "percentencode": lambda value: strict_encoded(_braced(value)),
    "uriencode": lambda value: quote(_braced(value), safe=URI_KEPT),
    "html": _html,
}


def with_format(holding: Holding, written: str) -> str:
    """The text `${<name>:<written>}` writes for what the variable holds (written: the format and its arguments)."""
    name, *args = written.split(":")
    if name == "text":
        return holding.text
    if name == "queryparam":
        return _query_param(holding)
    if holding.custom_all is not None:
        return strict_encoded(holding.custom_all) if name == "percentencode" else holding.custom_all
    if name == "distributed":
        return _distributed(holding)
    if name == "join":
        return _joined(holding.value, args[0] if args else ",")
    if name == "customqueryparam":
        return _custom_query_param(holding, args)
    if name == "date":
        return _date(holding.value, args)
    return FORMATS.get(name, _glob)(holding.value)


def formatted_value(value: str, written: str) -> str:
    """The text `${<name>:<written>}` writes for a variable's value: a VariableText in that format; any other text (a
    built-in's, `$__interval`, or one a caller wrote itself) as it is."""
    return with_format(value.holding, written) if isinstance(value, VariableText) else value
