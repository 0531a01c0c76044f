"""Alertmanager 0.25's group key of a notification, and the PagerDuty dedup_key it becomes, from an alertmanager.yml.

The group key is `<route key>:<group labels>` (dispatch/dispatch.go aggrGroup.GroupKey). A route's key is its
parent's key, "/", then its matchers' string (dispatch/route.go Route.Key): the `match`, `match_re` and `matchers`
of the route (a match_re value anchored, `^(?:value)$`) sorted by name, value, then type (pkg/labels/matcher.go
Matchers.Less), written `{name="value",...}` with the value's backslash, newline and double quote escaped
(openMetricsEscape); the root's is `{}`. The group labels are the alert's labels named in the route's group_by
(all of them for `...`), written as prometheus/common's model.LabelSet.String does: each `name="value"` with Go's
%q quoting, the strings sorted, joined by ", ". The PagerDuty integration sends sha256 of the key in hex as
dedup_key (notify/pagerduty `DedupKey: key.Hash()`, notify.Key.Hash); the webhook payload carries the key itself
as groupKey. Neither can be configured: a route whose matchers (or a parent's) or group_by change gives the same
alerts a new key. tests/e2e/test_group_keys.py holds this to a real Alertmanager's keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from generator.core.alert_routing import DEFAULTS, INHERITED, parse_matcher, route_matches

_TYPE_ORDER = {"=": 0, "!=": 1, "=~": 2, "!~": 3}
"""labels.MatchType's values: the last sort key of a route's matchers."""
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}


def _matchers(route: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, op, value) of every matcher of a route, in Alertmanager's order (sort.Sort of labels.Matchers)."""
    found = [(str(name), "=", str(value)) for name, value in (route.get("match") or {}).items()]
    # match_re's value is kept anchored (config.Regexp's String, the `lv.String()` NewRoute passes on)
    found += [(str(name), "=~", f"^(?:{value})$") for name, value in (route.get("match_re") or {}).items()]
    found += [parse_matcher(str(matcher)) for matcher in route.get("matchers") or ()]
    return sorted(found, key=lambda m: (m[0].encode(), m[2].encode(), _TYPE_ORDER[m[1]]))


def _open_metrics_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def matchers_string(route: Mapping[str, Any]) -> str:
    """A route's own part of its key, e.g. `{alertname="CpuHigh",severity="critical"}` (`{}` for none)."""
    return "{" + ",".join(f'{name}{op}"{_open_metrics_escape(value)}"' for name, op, value in _matchers(route)) + "}"


def go_quote(value: str) -> str:
    """Go's strconv.Quote (fmt's %q) of a string: C escapes, \\xNN for other control characters, \\uNNNN or
    \\UNNNNNNNN for other unprintable runes, printable Unicode as it is."""
    out = []
    for char in value:
        code = ord(char)
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char == " " or char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return f'"{"".join(out)}"'


def label_set_string(labels: Mapping[str, str]) -> str:
    """prometheus/common model.LabelSet.String: `{a="1", b="2"}`, the `name="value"` strings sorted bytewise."""
    return "{" + ", ".join(sorted((f"{name}={go_quote(value)}" for name, value in labels.items()),
                                  key=str.encode)) + "}"


@dataclass(frozen=True)
class Grouping:
    """A route that delivers an alert: its key, receiver and group_by (None for `...`, every label)."""

    key: str
    receiver: str
    group_by: frozenset[str] | None
    matchers: tuple[str, ...]
    """The route's matchers and its parents', as written in the file (to name the route to a reader)."""

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The alert's labels that name its group on this route (dispatch.go getGroupLabels)."""
        return {name: value for name, value in labels.items() if self.group_by is None or name in self.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """The notification's group key for an alert with these labels (aggrGroup.GroupKey)."""
        return f"{self.key}:{label_set_string(self.group_labels(labels))}"

    def same_key(self, other: Grouping) -> bool:
        """Whether other gives an alert the same group key (same route key, same group_by)."""
        return other.key == self.key and other.group_by == self.group_by

    @property
    def grouped_by(self) -> str:
        """group_by as a reader sees it: the label names, sorted, or "..." for every label."""
        return "..." if self.group_by is None else ", ".join(sorted(self.group_by)) or "(nothing)"


def dedup_key(group_key: str) -> str:
    """The dedup_key Alertmanager's PagerDuty integration sends for a group key (notify.Key.Hash)."""
    return hashlib.sha256(group_key.encode()).hexdigest()


def paging_receivers(config: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Receivers with PagerDuty integrations, each with the services it sends to: a key file's path, or an inline
    key's sha256 (never shown)."""
    def service(integration: Mapping[str, Any]) -> str:
        for name in ("routing_key_file", "service_key_file"):
            if integration.get(name):
                return f"{name} {integration[name]}"
        inline = str(integration.get("routing_key") or integration.get("service_key") or "")
        return "inline key " + hashlib.sha256(inline.encode()).hexdigest()

    return {str(receiver["name"]): frozenset(map(service, receiver["pagerduty_configs"]))
            for receiver in config.get("receivers") or () if receiver.get("pagerduty_configs")}


class Orphaning(Enum):
    """How new routes orphan the incident an old paging route opened for an alert."""

    PAGING_ENDS = "the alert reaches no PagerDuty integration: no resolve is sent"
    SERVICE_CHANGES = "same group key, another PagerDuty service (routing key), which never saw the incident"
    KEY_CHANGES = "another group key, so another dedup_key, which PagerDuty never saw"


@dataclass(frozen=True)
class Orphan:
    """An old paging route whose incident the new routes orphan, and the new paging routes the alert takes."""

    old: Grouping
    now: tuple[Grouping, ...]

    @property
    def how(self) -> Orphaning:
        if not self.now:
            return Orphaning.PAGING_ENDS
        return (Orphaning.SERVICE_CHANGES if all(self.old.same_key(route) for route in self.now)
                else Orphaning.KEY_CHANGES)


def orphans(old_routes: Iterable[Grouping], new_root: Mapping[str, Any], labels: Mapping[str, str],
            old_paging: Mapping[str, frozenset[str]], new_paging: Mapping[str, frozenset[str]]) -> list[Orphan]:
    """The paging ones of old_routes (routes of the old configuration an alert with these labels takes) whose
    incident the new configuration orphans: no route of new_root sends the alert to a PagerDuty service the old
    one paged under the same group key (same route key, same group_by), so the resolve closes nothing."""
    new = groupings(new_root, labels)
    now = tuple(route for route in new if route.receiver in new_paging)

    def kept(old: Grouping, route: Grouping) -> bool:
        return old.same_key(route) and bool(new_paging.get(route.receiver, frozenset()) & old_paging[old.receiver])

    return [Orphan(old, now) for old in old_routes
            if old.receiver in old_paging and not any(kept(old, route) for route in new)]


def _group_by(value: Any) -> frozenset[str] | None:
    names = [str(name) for name in value or ()]
    return None if "..." in names else frozenset(names)


@dataclass(frozen=True)
class _Node:
    """A route as the walk reaches it: its settings after inheritance, its key, its matchers and its parents'."""

    route: Mapping[str, Any]
    settings: dict[str, Any]
    key: str
    path: tuple[str, ...]

    @classmethod
    def root(cls, route: Mapping[str, Any]) -> _Node:
        return cls(route, {**DEFAULTS, **_own(route)}, matchers_string(route), _written(route))

    def child(self, route: Mapping[str, Any]) -> _Node:
        return _Node(route, {**self.settings, **_own(route)}, f"{self.key}/{matchers_string(route)}",
                     (*self.path, *_written(route)))

    def grouping(self) -> Grouping:
        return Grouping(self.key, str(self.settings.get("receiver", "")), _group_by(self.settings["group_by"]),
                        self.path)


def _own(route: Mapping[str, Any]) -> dict[str, Any]:
    return {name: route[name] for name in INHERITED if name in route}


def groupings(root: Mapping[str, Any], labels: Mapping[str, str]) -> list[Grouping]:
    """Every route that delivers an alert with these labels, in routing order (as alert_routing.routes_taking
    finds them), with its key."""

    def walk(node: _Node) -> list[Grouping]:
        taken: list[Grouping] = []
        for child in node.route.get("routes") or ():
            if route_matches(child, labels):
                taken += walk(node.child(child))
                if not child.get("continue", False):
                    break
        return taken or [node.grouping()]

    return walk(_Node.root(root))


def every_route(root: Mapping[str, Any]) -> list[Grouping]:
    """Every route of the tree, parents before children, with its key and settings (a route with children delivers
    only the alerts none of them takes)."""

    def walk(node: _Node) -> list[Grouping]:
        return [node.grouping(), *(route for child in node.route.get("routes") or ()
                                   for route in walk(node.child(child)))]

    return walk(_Node.root(root))


def _written(route: Mapping[str, Any]) -> tuple[str, ...]:
    """A route's matchers as its file writes them (match and match_re as name="value" and name=~"value")."""
    return (*(f'{k}="{v}"' for k, v in (route.get("match") or {}).items()),
            *(f'{k}=~"{v}"' for k, v in (route.get("match_re") or {}).items()),
            *(str(m) for m in route.get("matchers") or ()))
