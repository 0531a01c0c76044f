"""How Alertmanager's UI reads a notification's link (ui/app/src/Utils/Filter.elm), for tests that follow a link as
a person would: the filter parameter's matchers, and the value each UI release fills its silence form with."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

UI_MATCHER = re.compile(r'\s*([A-Za-z0-9_]+)(=~|!~|=|!=)("(?:\\.|[^"\\])*")\s*(,|})', re.DOTALL)
"""One matcher of the UI's filter, {NAME OP "VALUE", ...}: a name of [A-Za-z0-9_], the value a string whose
backslash escapes a character (ui/app/src/Utils/Filter.elm: item, string, stringHelp)."""


def ui_filter(url: str, base: str, page: str) -> list[str]:
    """The matchers (NAME="VALUE" as written) of the link's filter parameter, read as Alertmanager's UI at base reads
    it: the hash's query split at & and each parameter at its one = (elm/url's Url.Parser), percent-decoded with
    decodeURIComponent (a + stays a +), then parsed as {matcher, ...}."""
    assert url.startswith(f"{base}/#/{page}?"), url
    params = [part.split("=") for part in url.split("?", 1)[1].split("&")]
    assert all(len(param) == 2 for param in params), f"a raw = or & in {url}"  # elm/url drops such a parameter
    text = dict(params)["filter"]
    assert re.fullmatch(r"[A-Za-z0-9%._~-]*", text), f"an unescaped character in {text}"
    decoded = unquote(text, errors="strict")
    assert decoded.startswith("{"), decoded
    found, position = [], 1
    while position < len(decoded):
        matcher = UI_MATCHER.match(decoded, position)
        assert matcher is not None, f"the UI cannot parse {decoded!r} at {position}"
        found.append(f"{matcher[1]}{matcher[2]}{matcher[3]}")
        position = matcher.end()
    assert decoded.endswith("}")
    return found


def kept_value(matcher: str) -> tuple[str, str]:
    """The label and value Alertmanager 0.25's UI fills its silence form with: the text between the quotes as it is
    written, backslashes kept (Filter.elm's string drops the quotes only; prometheus/alertmanager#1913)."""
    name, quoted = matcher.split("=", 1)
    return name, quoted[1:-1]


def decoded_value(matcher: str) -> tuple[str, str]:
    """The label and value the UI of Alertmanager 0.32.0 and later fills its silence form with: the quoted text,
    quotes included, decoded as a JSON string (Filter.elm's string: Decode.decodeString Decode.string on the chomped
    string, i.e. JSON.parse, which refuses a raw U+0000-U+001F; prometheus/alertmanager#4862)."""
    name, quoted = matcher.split("=", 1)
    try:
        value = json.loads(quoted)
    except json.JSONDecodeError as error:
        raise AssertionError(f"the UI cannot decode {quoted!r}: {error}") from None
    assert isinstance(value, str), quoted
    return name, value


def api_matcher(name: str, value: str) -> str:
    """NAME="VALUE" as Alertmanager 0.25's API reads it: \\, \" and \n escaped, anything else raw."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}="{escaped}"'
