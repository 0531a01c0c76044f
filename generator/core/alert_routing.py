"""Alertmanager's routing of one alert through the `route` tree of an alertmanager.yml, as its dispatcher does.

From the root (which takes every alert), the children are tried in order: each whose matchers all match takes
the alert into its own subtree, and the next ones are tried only while a matched child says `continue: true`.
A route none of whose children took the alert delivers it itself. A route inherits from its parent what it
leaves out of receiver, group_by and the three timings (Alertmanager's dispatch/route.go; its time intervals
are not inherited; `group_by: []` is not a setting either: config.Route keeps no label from it, so NewRoute
inherits the parent's). Matchers are the `matchers` list (`name op value`, the value quoted or bare) and the older
`match` / `match_re` maps; a regex must match the whole label value.

A matcher is read as Alertmanager's default (fallback) mode reads it (matcher/compat FallbackMatcherParser): the
classic parser's reading whenever it reads the text (0.25's only parser: a legacy name, \\, \" and \n unescaped),
else, from 0.27 (utf8=True), the UTF-8 parser's (matcher/parse): a name or value double-quoted as a Go string,
or bare without the characters it reserves, e.g. `"service.name"="api"`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.core.matcher_text import classic_matcher
from generator.core.promql import label_matches

DEFAULTS = {"group_by": [], "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
"""Alertmanager's defaults for what no route of the tree sets."""
INHERITED = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")
_GO_STRING = r'"(?:[^"\\\n]|\\.)*"'
_BARE = r"""[^"\s{}!=~,\\'`]"""
"""A character of a bare token of the UTF-8 parser: no space and none of {}!=~,\\"'` (matcher/parse isReserved)."""
_UTF8_MATCHER = re.compile(rf"^\s*({_GO_STRING}|{_BARE}+)\s*(=~|!~|!=|=)\s*({_GO_STRING}|{_BARE}*)\s*$", re.DOTALL)
_GO_ESCAPE = re.compile(r'\\(?:([abfnrtv\\"])|x([0-9a-fA-F]{2})|([0-7]{3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))')
_GO_NAMED = {"a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v", "\\": b"\\",
             '"': b'"'}


def go_unquote(token: str) -> str:
    """A bare token as it is, a double-quoted one as Go's strconv.Unquote reads it; ValueError if it cannot."""
    if not token.startswith('"'):
        return token
    body, out, at = token[1:-1], bytearray(), 0
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


def parse_matcher(text: str, utf8: bool = False) -> tuple[str, str, str]:
    """(name, op, value) of one matcher (in braces or not) as Alertmanager reads it: its classic parser's reading,
    else (utf8: from 0.27) the UTF-8 parser's; a trailing comma is dropped (both parsers read a list of matchers,
    a config line being one); ValueError if it is not `name op value`."""
    inner = text.strip()
    inner = inner[1:-1] if inner.startswith("{") and inner.endswith("}") else inner  # both parsers take {m,}
    inner = inner.rstrip().removesuffix(",")
    try:
        return classic_matcher(inner)
    except ValueError:
        found = _UTF8_MATCHER.match(inner) if utf8 else None
    if found is None:
        raise ValueError(f"matcher {text!r} is not name op value") from None
    name, op, value = found.groups()
    try:
        name, value = go_unquote(name), go_unquote(value)
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"matcher {text!r} is not name op value: {name} or {value} is no Go string") from None
    if not name:
        raise ValueError(f"matcher {text!r} has an empty label name")
    return name, op, value


def route_matches(route: Mapping[str, Any], labels: Mapping[str, str], utf8: bool = False) -> bool:
    """Whether every matcher of the route holds for the labels (a label the alert lacks is the empty string)."""
    checks = [parse_matcher(str(matcher), utf8) for matcher in route.get("matchers") or ()]
    checks += [(name, "=", str(value)) for name, value in (route.get("match") or {}).items()]
    checks += [(name, "=~", str(value)) for name, value in (route.get("match_re") or {}).items()]
    return all(label_matches(op, value, labels.get(name, "")) for name, op, value in checks)


def own_settings(route: Mapping[str, Any]) -> dict[str, Any]:
    """What a route sets of INHERITED (an empty group_by sets nothing: config.Route's GroupBy stays nil)."""
    return {key: route[key] for key in INHERITED if key in route and (key != "group_by" or route[key])}


def routes_taking(root: Mapping[str, Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The settings (INHERITED, defaults filled in) of every route that delivers the alert, in routing order."""

    def walk(route: Mapping[str, Any], inherited: dict[str, Any]) -> list[dict[str, Any]]:
        settings = {**inherited, **own_settings(route)}
        taken: list[dict[str, Any]] = []
        for child in route.get("routes") or ():
            if route_matches(child, labels):
                taken += walk(child, settings)
                if not child.get("continue", False):
                    break
        return taken or [settings]

    return walk(root, dict(DEFAULTS))
