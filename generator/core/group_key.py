"""Alertmanager's group key of a notification, and the PagerDuty dedup_key it becomes, from an alertmanager.yml, as
the Alertmanager release that runs it writes them.

The group key is `<route key>:<group labels>` (dispatch/dispatch.go aggrGroup.GroupKey). A route's key is its
parent's key, "/", then its matchers' string (dispatch/route.go Route.Key): the `match`, `match_re` and `matchers`
of the route (a match_re value anchored, `^(?:value)$`; every matcher of each `matchers` line, a line being a list,
generator.core.matcher_parse) sorted by name, value, then type (pkg/labels/matcher.go Matchers.Less), written
`{name="value",...}` with the value's backslash, newline and double quote escaped (openMetricsEscape:
matcher_text.filtered); the root's is `{}`. From 0.27 (UTF-8 label names) a matcher whose name holds a space or one
of {}!=~,\\"'` is written with name and value Go-quoted, `"a b"="x"` (Matcher.String, isReserved); other names,
`service.name` among them, as before. The group labels are the alert's labels named in the route's group_by
(all of them for `...`), written as prometheus/common's model.LabelSet.String does: each `name="value"` with Go's
%q quoting, joined by ", ", in an order that changed: until common v0.50 (Alertmanager 0.27 and before, 0.25
among them) the `name="value"` strings sorted, so `foo2="x"` before `foo="y"` ("2" < "="); from v0.50
(prometheus/common#575; Alertmanager 0.28 on, 0.34 among them) the names sorted, `foo="y"` before `foo2="x"`.
The same alerts therefore get another group key, hence another dedup_key, on 0.34 than on 0.25 when one group
label's name is another's followed by a digit, `.`, `-` or another character before "=".

The PagerDuty integration sends sha256 of the key in hex as dedup_key (notify/pagerduty `DedupKey: key.Hash()`,
notify.Key.Hash); the webhook payload carries the key itself as groupKey. Neither can be configured: a route whose
matchers (or a parent's) or group_by change gives the same alerts a new key. tests/e2e/test_group_keys.py holds
this to a real Alertmanager 0.25's keys; tests/unit/test_group_key_forms.py to upstream's own tests of 0.34's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from weakref import WeakKeyDictionary

from generator.core.alert_routing import DEFAULTS, Route, RouteTree, delivering_routes, own_settings, written
from generator.core.label_matchers import LabelMatcher
from generator.core.matcher_parse import UNICODE_SPACES, release_matchers, utf8_names
from generator.core.matcher_text import filtered
from generator.core.releases import ordered

NAMES_SORTED = (0, 28, 0)
"""The first Alertmanager built on prometheus/common v0.50 or later, whose LabelSet.String sorts the label names
(prometheus/common#575, merged after 0.27.0's release on 2024-02-28)."""
_RESERVED = frozenset("{}!=~,\\\"'`")
"""pkg/labels/matcher.go isReserved: unicode.IsSpace (matcher_parse.UNICODE_SPACES) or one of these."""
_TYPE_ORDER = {"=": 0, "!=": 1, "=~": 2, "!~": 3}
"""labels.MatchType's values: the last sort key of a route's matchers."""
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}


def _matchers(route: Mapping[str, Any], release: str) -> list[tuple[str, str, str]]:
    """(name, op, value) of every matcher of a route, in Alertmanager's order (sort.Sort of labels.Matchers)."""
    found = [(str(name), "=", str(value)) for name, value in (route.get("match") or {}).items()]
    # match_re's value is kept anchored (config.Regexp's String, the `lv.String()` NewRoute passes on)
    found += [(str(name), "=~", f"^(?:{value})$") for name, value in (route.get("match_re") or {}).items()]
    # each line of `matchers` is a list of matchers (config.Matchers appends them all, then sorts)
    found += [matcher for line in route.get("matchers") or () for matcher in release_matchers(str(line), release)]
    return sorted(found, key=lambda m: (m[0].encode(), m[2].encode(), _TYPE_ORDER[m[1]]))


def _reserved(char: str) -> bool:
    return char in _RESERVED or char in UNICODE_SPACES


def matcher_string(name: str, op: str, value: str, release: str) -> str:
    """labels.Matcher.String of this release: `name="value"`, or from 0.27 `"name"="value"` Go-quoted when the
    name holds a reserved character."""
    if utf8_names(release) and any(map(_reserved, name)):
        return f"{go_quote(name)}{op}{go_quote(value)}"
    return f'{name}{op}"{filtered(value)}"'


def matchers_string(route: Mapping[str, Any], release: str) -> str:
    """A route's own part of its key, e.g. `{alertname="CpuHigh",severity="critical"}` (`{}` for none)."""
    return "{" + ",".join(matcher_string(*matcher, release) for matcher in _matchers(route, release)) + "}"


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


def label_set_string(labels: Mapping[str, str], release: str) -> str:
    """prometheus/common model.LabelSet.String as this Alertmanager release links it: `{a="1", b="2"}`, the
    `name="value"` strings sorted bytewise (before 0.28) or the names (0.28 on)."""
    pairs = [(name.encode(), f"{name}={go_quote(value)}") for name, value in labels.items()]
    by_name = _names_sorted(release)
    return "{" + ", ".join(pair for _, pair in sorted(pairs, key=lambda p: p[0] if by_name else p[1].encode())) + "}"


@dataclass(frozen=True)
class Grouping:
    """A route that delivers an alert: its key, receiver and group_by (None for `...`, every label)."""

    key: str
    receiver: str
    group_by: frozenset[str] | None
    matchers: tuple[str, ...]
    """The route's matchers and its parents', as written in the file (to name the route to a reader)."""
    release: str
    """The Alertmanager release whose keys these are (X.Y.Z)."""

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The alert's labels that name its group on this route (dispatch.go getGroupLabels)."""
        return {name: value for name, value in labels.items() if self.group_by is None or name in self.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """The notification's group key for an alert with these labels (aggrGroup.GroupKey)."""
        return f"{self.key}:{label_set_string(self.group_labels(labels), self.release)}"

    def same_key(self, other: Grouping, labels: Mapping[str, str] | None = None) -> bool:
        """Whether other gives an alert the same group key. With labels (all the alert's, as a running
        Alertmanager's group holds them) the two keys are compared: a group_by label the alert lacks changes
        nothing. Without (an alert known by its rule's labels only), same route key, same group_by, and, where the
        releases write a label set in another order, no two group_by names that the two orders put apart."""
        if labels is not None:
            return self.group_key(labels) == other.group_key(labels)
        if other.key != self.key or other.group_by != self.group_by:
            return False
        return (_names_sorted(self.release) == _names_sorted(other.release)
                or (self.group_by is not None and not _orders_apart(self.group_by)))

    @property
    def grouped_by(self) -> str:
        """group_by as a reader sees it: the label names, sorted, or "..." for every label."""
        return "..." if self.group_by is None else ", ".join(sorted(self.group_by)) or "(nothing)"


def _names_sorted(release: str) -> bool:
    return ordered(release) >= NAMES_SORTED


def _orders_apart(names: Iterable[str]) -> bool:
    """Whether the two LabelSet.String orders differ on some labels named so: one name is another followed by a
    character before "=" (foo and foo2, service and service.name)."""
    return any(longer.startswith(name) and len(longer) > len(name) and longer[len(name)] < "="
               for name in names for longer in names)


def dedup_key(group_key: str) -> str:
    """The dedup_key Alertmanager's PagerDuty integration sends for a group key (notify.Key.Hash)."""
    return hashlib.sha256(group_key.encode()).hexdigest()


REDACTED = "<secret>"
"""What a running Alertmanager's configuration (/api/v2/status config.original) shows of an inline key: config.Secret
marshals as this, whatever the key."""
INLINE_UNKNOWN = "inline key (not shown by Alertmanager)"


def same_service(old: frozenset[str], new: frozenset[str]) -> bool:
    """Whether two receivers' PagerDuty services share one; an inline key the running Alertmanager did not show is
    taken for any inline key (whether it changed cannot be known from the server: a key file can)."""
    inline = {service for service in old | new if service.startswith("inline key")}
    return bool(old & new) or (INLINE_UNKNOWN in old | new and bool(inline & old) and bool(inline & new))


def paging_receivers(config: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Receivers with PagerDuty integrations, each with the services it sends to: a key file's path, or an inline
    key's sha256 (never shown), or INLINE_UNKNOWN for one a running Alertmanager redacted."""
    def service(integration: Mapping[str, Any]) -> str:
        for name in ("routing_key_file", "service_key_file"):
            if integration.get(name):
                return f"{name} {integration[name]}"
        inline = str(integration.get("routing_key") or integration.get("service_key") or "")
        return INLINE_UNKNOWN if inline == REDACTED else "inline key " + hashlib.sha256(inline.encode()).hexdigest()

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
    labels: Mapping[str, str] | None = field(default=None, compare=False)
    """All the alert's labels when known (Grouping.same_key)."""

    @property
    def how(self) -> Orphaning:
        if not self.now:
            return Orphaning.PAGING_ENDS
        return (Orphaning.SERVICE_CHANGES if all(self.old.same_key(route, self.labels) for route in self.now)
                else Orphaning.KEY_CHANGES)


def orphans(old_routes: Iterable[Grouping], new_tree: RouteTree, labels: Mapping[str, str],
            paging: tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]], complete: bool) -> list[Orphan]:
    """The paging ones of old_routes (routes of the old configuration an alert with these labels takes) whose
    incident the new configuration (routes new_tree, read for the release that runs it) orphans: no route of it
    sends the alert to a PagerDuty service the old one paged under the same group key, so the resolve closes nothing.
    paging: the old and the new configuration's paging receivers; complete: whether labels are all the alert's."""
    old_paging, new_paging = paging
    new = groupings(new_tree, labels)
    now = tuple(route for route in new if route.receiver in new_paging)
    known = labels if complete else None

    def kept(old: Grouping, route: Grouping) -> bool:
        return (old.same_key(route, known)
                and same_service(old_paging[old.receiver], new_paging.get(route.receiver, frozenset())))

    return [Orphan(old, now, known) for old in old_routes
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
    release: str

    @classmethod
    def root(cls, route: Mapping[str, Any], release: str) -> _Node:
        return cls(route, {**DEFAULTS, **own_settings(route)}, matchers_string(route, release), written(route),
                   release)

    def child(self, route: Mapping[str, Any]) -> _Node:
        return _Node(route, {**self.settings, **own_settings(route)},
                     f"{self.key}/{matchers_string(route, self.release)}", (*self.path, *written(route)),
                     self.release)

    def grouping(self) -> Grouping:
        return Grouping(self.key, str(self.settings.get("receiver", "")), _group_by(self.settings["group_by"]),
                        self.path, self.release)


_NODES: WeakKeyDictionary[Route, _Node] = WeakKeyDictionary()
"""Each route of a tree as the walk reached it once (its key written, its settings inherited), kept while the tree
lives: a tree routes every alert of a side (obsgen diff, obsgen apply), and its routes' keys do not depend on them."""


def _node(path: tuple[Route, ...], release: str) -> _Node:
    """The walk's node of path's last route, computed the first time a path reaches it."""
    route = path[-1]
    node = _NODES.get(route)
    if node is None:
        node = _node(path[:-1], release).child(route.route) if len(path) > 1 else _Node.root(route.route, release)
        _NODES[route] = node
    return node


def groupings(tree: RouteTree, labels: Mapping[str, str]) -> list[Grouping]:
    """Every route that delivers an alert with these labels, in routing order (alert_routing.delivering), with its
    key as the Alertmanager release the tree was read for (X.Y.Z) writes it."""
    return [_node(path, tree.release).grouping() for path in delivering_routes(tree, labels)]


def every_route(tree: RouteTree) -> list[tuple[Grouping, tuple[LabelMatcher, ...]]]:
    """Every route of the tree, parents before children, with its key and settings (a route with children delivers
    only the alerts none of them takes), and its matchers and its parents' as the tree's release read them."""

    def walk(node: _Node, route: Route, read: tuple[LabelMatcher, ...]) -> list[tuple[Grouping,
                                                                                      tuple[LabelMatcher, ...]]]:
        read = (*read, *route.matchers)
        return [(node.grouping(), read), *(found for child in route.routes
                                           for found in walk(node.child(child.route), child, read))]

    return walk(_Node.root(tree.root.route, tree.release), tree.root, ())
