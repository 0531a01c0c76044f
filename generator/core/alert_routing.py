"""Alertmanager's routing of one alert through the `route` tree of an alertmanager.yml, as its dispatcher does.

From the root (which takes every alert), the children are tried in order: each whose matchers all match takes
the alert into its own subtree, and the next ones are tried only while a matched child says `continue: true`.
A route none of whose children took the alert delivers it itself. A route inherits from its parent what it
leaves out of receiver, group_by and the three timings (Alertmanager's dispatch/route.go; its time intervals
are not inherited; `group_by: []` is not a setting either: config.Route keeps no label from it, so NewRoute
inherits the parent's). Matchers are the `matchers` list, each line a list of matchers as the release reads it
(generator.core.matcher_parse: `a="b", c=~"d"` is two), and the older `match` / `match_re` maps; a regex must match
the whole label value.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from typing import Any

from generator.core.matcher_parse import parse_matchers
from generator.core.promql import label_matches

DEFAULTS = {"group_by": [], "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
"""Alertmanager's defaults for what no route of the tree sets."""
INHERITED = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")
RoutePath = tuple[Mapping[str, Any], ...]
"""A route and its parents, the root first."""


def route_matches(route: Mapping[str, Any], labels: Mapping[str, str], utf8: bool = False) -> bool:
    """Whether every matcher of the route holds for the labels (a label the alert lacks is the empty string)."""
    checks = [matcher for line in route.get("matchers") or () for matcher in parse_matchers(str(line), utf8)]
    checks += [(name, "=", str(value)) for name, value in (route.get("match") or {}).items()]
    checks += [(name, "=~", str(value)) for name, value in (route.get("match_re") or {}).items()]
    return all(label_matches(op, value, labels.get(name, "")) for name, op, value in checks)


def own_settings(route: Mapping[str, Any]) -> dict[str, Any]:
    """What a route sets of INHERITED (an empty group_by sets nothing: config.Route's GroupBy stays nil)."""
    return {key: route[key] for key in INHERITED if key in route and (key != "group_by" or route[key])}


def delivering(root: Mapping[str, Any], labels: Mapping[str, str], utf8: bool = False) -> list[RoutePath]:
    """Every route that delivers the alert, in routing order, each as its path from the root (the root first).
    utf8: whether the release reads matchers with its UTF-8 parser (0.27 on, matcher_parse.parse_matchers)."""

    def walk(path: RoutePath) -> list[RoutePath]:
        taken: list[RoutePath] = []
        for child in path[-1].get("routes") or ():
            if route_matches(child, labels, utf8):
                taken += walk((*path, child))
                if not child.get("continue", False):
                    break
        return taken or [path]

    return walk((root,))


def routes_taking(root: Mapping[str, Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The settings (INHERITED, defaults filled in) of every route that delivers the alert, in routing order."""
    return [reduce(lambda settings, route: {**settings, **own_settings(route)}, path, dict(DEFAULTS))
            for path in delivering(root, labels)]
