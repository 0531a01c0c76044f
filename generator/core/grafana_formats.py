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
- any other name falls back to `glob` (Grafana logs "Variable format ... not found"); so, here, does `date`, which
  formats an epoch-millisecond value as a date (dayjs), not written in PromQL.

A query variable whose options the preview does not know (its query failed; the lint asks no server) holds `.*` for
All, written as it is, as a custom all value is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

Held = str | list[str]
REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")
LUCENE_SPECIAL = re.compile(r"""([!*+\-=<>\s&|()\[\]{}^~?:\\/"])""")
JS_NUMBER = re.compile(r"\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Infinity|0[xX][0-9a-fA-F]+|0[oO][0-7]+"
                       r"|0[bB][01]+)?\s*")
"""What JavaScript's Number() reads as a number (blank is 0): luceneEscape leaves such a value as it is."""
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


def _glob(value: Held) -> str:
    if isinstance(value, list):
        return "{" + ",".join(value) + "}" if len(value) > 1 else "".join(value)
    return value


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
    "percentencode": lambda value: strict_encoded("{" + ",".join(value) + "}" if isinstance(value, list) else value),
}


def with_format(holding: Holding, written: str) -> str:
    """The text `${<name>:<written>}` writes for what the variable holds (written: the format and its arguments)."""
    name = written.partition(":")[0]
    if name == "text":
        return holding.text
    if name == "queryparam":
        return _query_param(holding)
    if holding.custom_all is not None:
        return strict_encoded(holding.custom_all) if name == "percentencode" else holding.custom_all
    if name == "distributed":
        return _distributed(holding)
    return FORMATS.get(name, _glob)(holding.value)


def formatted_value(value: str, written: str) -> str:
    """The text `${<name>:<written>}` writes for a variable's value: a VariableText in that format; any other text (a
    built-in's, `$__interval`, or one a caller wrote itself) as it is."""
    return with_format(value.holding, written) if isinstance(value, VariableText) else value
