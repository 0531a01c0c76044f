"""A query variable's options, made of the values its query found, and the value it takes, as grafana/scenes does.

Options (packages/scenes/src/variables/variants/query/utils.ts metricNamesToVariableValues): each value found, kept,
dropped or rewritten by the variable's `regex` (grafana-data stringToJsRegex: `/re/flags`, or else `^re$`; matched
against the value, or the text with regexApplyTo "text"): a named group `value` and/or `text` gives them; else, with
several matches (the `g` flag) having a capture group, each match's first group is an option; else one match's
first group is; a match without groups keeps the value as it is; no match drops it. Then duplicates by value go (the
first stays) and `sort` orders them: 0 as found, 1/2 by text, 3/4 by the first number in the text (-1 without one),
5/6 by text case-insensitively, 7/8 natural (Intl.Collator numeric, accent-sensitive: approximated here by digit
runs compared as numbers and the rest case-folded), each odd one ascending and its even one the reverse. A regex
naming a variable has it filled in first in the `regex` format (scenes QueryVariable: sceneGraph.interpolate(this,
regex, undefined, 'regex'); core/grafana_formats.py); one the dashboard lacks stays as written (sceneInterpolator
returns the match), and the regex runs with it: `$x` is then an end of text followed by `x`, which matches nothing.
The regex comes from a dashboard, which may be imported and hostile, and runs on every value Prometheus answers
(up to 40000): it runs on RE2 (google-re2), in time linear in the text, so no pattern (`(a+)+$`) can hold the
preview's CPU. RE2 has no lookaround and no backreferences: a regex using them is refused, noted as a failed query.

The value an option list gives a variable: core/grafana_variable_value.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no types

from generator.core.grafana_promql import VARIABLE, interpolate
from generator.core.grafana_variable_value import Option

JS_REGEX = re.compile(r"/([^\n\r\u2028\u2029]*?)/(g?i?m?y?s?)")
INLINE_FLAGS = "ims"
"""JavaScript's flags RE2 reads inline, `(?ims)`: ignore case, ^ and $ at lines, . matching a line break."""
RE2_OPTIONS = re2.Options()
RE2_OPTIONS.log_errors = False  # a refused pattern is a ValueError the page notes, not a line on stderr
NAMED_GROUP = re.compile(r"\(\?<(?![=!])")
NUMBER = re.compile(r"\d+")
DIGITS = re.compile(r"(\d+)")

Pattern = tuple[Any, bool]
"""A variable's regex compiled by RE2 (re2._Regexp, untyped), and whether it has JavaScript's `g` flag (every match
is read)."""


def js_regex(text: str) -> Pattern:
    """stringToJsRegex: `/re/flags` as written, anything else anchored `^re$`; named groups `(?<n>` read as Python's
    `(?P<n>`. ValueError for one that is not a regular expression."""
    written = JS_REGEX.fullmatch(text) if text.startswith("/") else None
    if text.startswith("/") and written is None:
        raise ValueError(f"regex {text!r} is not a valid regular expression")
    source, flags = written.groups() if written else (f"^{text}$", "")
    inline = "".join(flag for flag in INLINE_FLAGS if flag in flags)
    try:
        compiled = re2.compile((f"(?{inline})" if inline else "") + NAMED_GROUP.sub("(?P<", source), RE2_OPTIONS)
    except re2.error as error:
        said = error.args[0].decode(errors="replace") if error.args and isinstance(error.args[0], bytes) else error
        raise ValueError(f"regex {text!r} is not a valid regular expression as RE2 reads it ({said}; the preview "
                         "runs RE2, which has no lookaround nor backreferences)") from None
    return compiled, "g" in flags


def _matches(pattern: Pattern, text: str) -> list[Any]:
    """getAllMatches: the first match, or with `g` each in turn up to an empty one."""
    compiled, every = pattern
    if not every:
        first = compiled.search(text)
        return [first] if first else []
    found = []
    for match in compiled.finditer(text):
        found.append(match)
        if match.group() == "":
            break
    return found


def _filtered(pattern: Pattern, option: Option, apply_to_text: bool) -> list[Option]:
    matches = _matches(pattern, option.text if apply_to_text else option.value)
    if not matches:
        return []
    value_group = next((m.groupdict()["value"] for m in matches if m.groupdict().get("value")), None)
    text_group = next((m.groupdict()["text"] for m in matches if m.groupdict().get("text")), None)
    grouped = [m for m in matches if m.re.groups >= 1]
    if value_group or text_group:
        return [Option(text_group or value_group or "", value_group or text_group or "")]
    if len(matches) > 1 and grouped:
        return [Option(m.group(1) or "", m.group(1) or "") for m in matches]
    if grouped:
        return [Option(grouped[0].group(1) or "", grouped[0].group(1) or "")]
    return [option]


def _number(option: Option) -> int:
    found = NUMBER.search(option.text)
    return int(found.group()) if option.text and found else -1


def _natural(option: Option) -> list[tuple[int, int, str]]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in DIGITS.split(option.text) if part]


def sorted_options(options: list[Option], sort: object) -> list[Option]:
    """sortVariableValues: the options in the order `sort` (0-8) asks; any other leaves them as found."""
    keys: dict[int, Any] = {1: lambda o: o.text, 3: _number, 5: lambda o: o.text.lower(), 7: _natural}
    order = sort if isinstance(sort, int) and not isinstance(sort, bool) else 0
    key = keys.get(order - (order % 2 == 0))
    if not key or order > 8:
        return options
    ordered = sorted(options, key=key)
    return ordered[::-1] if order % 2 == 0 else ordered


def variable_options(found: list[str], variable: dict[str, Any], values: Mapping[str, str] | None = None
                     ) -> list[Option]:
    """The variable's options from the texts its query found, the variables its regex names filled in from values
    in the `regex` format, one values lacks left as written (ValueError for a regex that is not one, or that names
    variables and no values are given)."""
    regex = str(variable.get("regex") or "")
    if VARIABLE.search(regex):
        if values is None:
            raise ValueError(f"its regex {regex!r} names a variable, and no values were given")
        regex = interpolate(regex, values, "regex", keep_unknown=True)
    pattern = js_regex(regex) if regex else None
    options: list[Option] = []
    seen: set[str] = set()
    for text in found:
        kept = _filtered(pattern, Option(text, text), variable.get("regexApplyTo") == "text") if pattern else [
            Option(text, text)]
        for option in kept:
            if option.value not in seen:
                seen.add(option.value)
                options.append(option)
    return sorted_options(options, variable.get("sort"))
