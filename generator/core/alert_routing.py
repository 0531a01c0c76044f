"""Alertmanager's routing of one alert through the `route` tree of an alertmanager.yml, as its dispatcher does.

From the root (which takes every alert), the children are tried in order: each whose matchers all match takes
the alert into its own subtree, and the next ones are tried only while a matched child says `continue: true`.
A route none of whose children took the alert delivers it itself. A route inherits from its parent what it
leaves out of receiver, group_by and the three timings (Alertmanager's dispatch/route.go; its time intervals
are not inherited; `group_by: []` is not a setting either: config.Route keeps no label from it, so NewRoute
inherits the parent's). Matchers are the `matchers` list, each line a list of matchers as the release reads it
(generator.core.matcher_parse: `a="b", c=~"d"` is two), and the older `match` / `match_re` maps; a regex must match
the whole label value. A tree is read once (RouteTree.read: every route's matchers as the release reads them, each
regex compiled, generator.core.label_matchers), then routes any number of alerts; Routes is the tree with the
file's receivers by name, which every reader of an alertmanager.yml (obsgen diff's analyses, the live ledger) reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from generator.core.label_matchers import LabelMatcher, all_hold, read_matchers

DEFAULTS = {"group_by": [], "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
"""Alertmanager's defaults for what no route of the tree sets."""
INHERITED = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")
RoutePath = tuple[Mapping[str, Any], ...]
"""A route and its parents, the root first."""


@dataclass(frozen=True, eq=False)
class Route:
    """A route of the tree as read: the route itself, its matchers, its children. Known by identity (a position in one
    tree), so that what is derived from it can be kept per route (group_key's route keys)."""

    route: Mapping[str, Any]
    matchers: tuple[LabelMatcher, ...]
    routes: tuple[Route, ...]

    @classmethod
    def read(cls, route: Mapping[str, Any], release: str, where: str = "route") -> Route:
        """The route and its subtree, as Alertmanager `release` reads them; ValueError naming the route (where it is
        in the tree, and its matchers as written) when it would refuse one."""
        children = route.get("routes") or []
        if not isinstance(children, list) or not all(isinstance(child, Mapping) for child in children):
            raise ValueError(f"{where}: routes must be a list of routes")
        try:
            matchers = read_matchers(route, release)
        except ValueError as error:
            shown = ", ".join(written(route))
            raise ValueError(f"{where}{f' ({shown})' if shown else ''}: {error}") from None
        return cls(route, matchers, tuple(cls.read(child, release, f"{where}.routes[{at}]")
                                          for at, child in enumerate(children)))


@dataclass(frozen=True)
class RouteTree:
    """An alertmanager.yml's `route` tree read once, and the Alertmanager release (X.Y.Z) it was read as."""

    root: Route
    release: str

    @classmethod
    def read(cls, root: Mapping[str, Any], release: str) -> RouteTree:
        """ValueError naming the route Alertmanager `release` would refuse (a line it cannot read, a bad regex)."""
        if not isinstance(root, Mapping):
            raise ValueError("route is not a mapping")
        return cls(Route.read(root, release), release)



@dataclass(frozen=True)
class Routes:
    """An alertmanager.yml's route tree, read as an Alertmanager release reads it, and its receivers by name."""

    tree: RouteTree
    receivers: Mapping[str, Mapping[str, Any]]

    @classmethod
    def read(cls, config: Mapping[str, Any], release: str) -> Routes:
        """The configuration as Alertmanager `release` (X.Y.Z) reads it (no route: an empty one); ValueError naming
        the route it would refuse (a matchers line it cannot read, a regex that does not compile), or saying that the
        receivers are not a list of named receivers."""
        if not isinstance(config, Mapping):
            raise ValueError("not a mapping of route, receivers, ...")
        return cls(RouteTree.read(config.get("route") or {}, release), receivers_of(config))


def receivers_of(config: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """An alertmanager.yml's receivers by name; ValueError unless they are a list of mappings, each with a name."""
    receivers = config.get("receivers") or []
    if not isinstance(receivers, list) or not all(
            isinstance(receiver, Mapping) and isinstance(receiver.get("name"), str) for receiver in receivers):
        raise ValueError("receivers must be a list of mappings, each with a name")
    return {receiver["name"]: receiver for receiver in receivers}

def written(route: Mapping[str, Any]) -> tuple[str, ...]:
    """A route's matchers as its file writes them (match and match_re as name="value" and name=~"value")."""
    match, match_re, lines = (route.get(key) or kind() for key, kind in
                              (("match", dict), ("match_re", dict), ("matchers", list)))
    return (*(f'{k}="{v}"' for k, v in (match.items() if isinstance(match, Mapping) else ())),
            *(f'{k}=~"{v}"' for k, v in (match_re.items() if isinstance(match_re, Mapping) else ())),
            *(str(m) for m in (lines if isinstance(lines, list) else [lines])))


def own_settings(route: Mapping[str, Any]) -> dict[str, Any]:
    """What a route sets of INHERITED (an empty group_by sets nothing: config.Route's GroupBy stays nil)."""
    return {key: route[key] for key in INHERITED if key in route and (key != "group_by" or route[key])}


def delivering_routes(tree: RouteTree, labels: Mapping[str, str]) -> list[tuple[Route, ...]]:
    """Every route that delivers the alert, in routing order, each as its path of routes as read from the root."""

    def walk(path: tuple[Route, ...]) -> list[tuple[Route, ...]]:
        taken: list[tuple[Route, ...]] = []
        for child in path[-1].routes:
            if all_hold(child.matchers, labels):
                taken += walk((*path, child))
                if not child.route.get("continue", False):
                    break
        return taken or [path]

    return walk((tree.root,))


def delivering(tree: RouteTree, labels: Mapping[str, str]) -> list[RoutePath]:
    """Every route that delivers the alert, in routing order, each as its path from the root (the root first)."""
    return [tuple(route.route for route in path) for path in delivering_routes(tree, labels)]


def routes_taking(tree: RouteTree, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The settings (INHERITED, defaults filled in) of every route that delivers the alert, in routing order."""
    return [reduce(lambda settings, route: {**settings, **own_settings(route)}, path, dict(DEFAULTS))
            for path in delivering(tree, labels)]
