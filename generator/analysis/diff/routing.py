"""Alertmanager routing compared: which matchers reach which people, receivers' settings, inhibitions.

Routes and inhibit rules are known by their matchers as the release each side was built for reads them
(alertmanager_routes: generator.core.label_matchers), not by their text: `a=b`, `a="b"`, `match: {a: b}` and one line
`{a="b", c="d"}` for two are one matcher set to Alertmanager, so rewriting one so changes nothing here. A change is
named by the matchers as the file writes them (the head's, or the base's for a removal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from generator.analysis.delivery import reaches
from generator.analysis.diff.changes import Change, OutTree, Table, compare_keyed, numbered
from generator.core.alert_inhibition import InhibitRule
from generator.core.alert_routing import Route, Routes, written
from generator.core.group_key import matcher_string
from generator.core.label_matchers import LabelMatcher
from generator.core.untrusted import FileError
from generator.model.conventions import alertmanager_template
from generator.model.stack import alertmanager_built_for

CONFIG = "alertmanager/alertmanager.yml"
ROUTE_FIELDS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "continue")
INHIBIT_MATCHERS = tuple(f"{side}{key}" for side in ("source_", "target_") for key in ("matchers", "match", "match_re"))
"""An inhibit rule's matcher keys: compared as read (the rule's key, its target_matchers field), not as written."""


def alertmanager_release(tree: OutTree) -> str:
    """The Alertmanager release a side was built for, as which its alertmanager.yml is read (model.stack.
    alertmanager_built_for: what its notification templates declare, else the stack's default)."""
    return alertmanager_built_for(tree.files.get(alertmanager_template(), b"").decode(errors="replace"))


_ROUTES = "routing.routes"


def alertmanager_routes(tree: OutTree) -> Routes:
    """The side's alertmanager.yml read once, as the release it was built for reads it; FileError naming the file
    and the route that release would refuse (a matchers line it cannot read, a regex that does not compile)."""
    if _ROUTES not in tree.derived:
        config = tree.document(CONFIG) or {}
        try:
            tree.derived[_ROUTES] = Routes.read(config, alertmanager_release(tree))
        except ValueError as error:
            raise FileError(tree.root / CONFIG, str(error)) from None
    routes: Routes = tree.derived[_ROUTES]
    return routes


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _read(matchers: Iterable[LabelMatcher], release: str) -> str:
    """Matchers as read, in one form whatever the file's: each as Alertmanager writes it (Matcher.String), sorted,
    a repeated one once."""
    return ", ".join(sorted({matcher_string(m.name, m.op, m.value, release) for m in matchers}))


Named = tuple[Table, dict[str, str]]
"""Things keyed by their matchers as read, and the name each is shown by (its matchers as written)."""


def _named(found: list[tuple[str, str, dict[str, str]]], names: list[str]) -> Named:
    """numbered's table of (key, where, fields), and each numbered key's name (numbered alike)."""
    table = numbered(found)
    shown = numbered([(name, "", {}) for name in names])
    return table, dict(zip(table, shown, strict=True))


def _compare_named(section: str, old: Named, new: Named) -> list[Change]:
    """compare_keyed on the keys, each change shown by its name (the head's; the base's when removed)."""
    names = {**old[1], **new[1]}
    changes = [replace(change, name=names[change.name]) for change in compare_keyed(section, old[0], new[0])]
    return sorted(changes, key=lambda change: change.name)


def route_table(tree: OutTree) -> Named:
    """Every route keyed by its matchers as read (and its parents'), with its settings and whom it reaches."""
    routes = alertmanager_routes(tree)
    found: list[tuple[str, str, dict[str, str]]] = []
    names: list[str] = []

    def visit(route: Route, key: str, shown: tuple[str, ...]) -> None:
        key, shown = f"{key}/{{{_read(route.matchers, routes.tree.release)}}}", (*shown, *written(route.route))
        fields = {field: _text(route.route[field]) for field in ROUTE_FIELDS if field in route.route}
        fields["reaches"] = reaches(routes.receivers.get(route.route.get("receiver", "")))
        found.append((key, CONFIG, fields))
        names.append(", ".join(shown) or "(root route)")
        for child in route.routes:
            visit(child, key, shown)

    visit(routes.tree.root, "", ())
    return _named(found, names)


def _flat(value: Any, prefix: str, into: dict[str, str]) -> dict[str, str]:
    if isinstance(value, dict):
        for key, item in value.items():
            _flat(item, f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            _flat(item, f"{prefix}[{index}]", into)
    else:
        into[prefix] = _text(value)
    return into


def compare_routes(base: OutTree, head: OutTree) -> list[Change]:
    """Routes added, removed or changed (receiver, timing, grouping, and whom they now reach)."""
    return _compare_named("routes", route_table(base), route_table(head))


def compare_receivers(base: OutTree, head: OutTree) -> list[Change]:
    """Receivers on both sides whose settings changed; new or dropped ones show as route changes."""
    old, new = alertmanager_routes(base).receivers, alertmanager_routes(head).receivers
    shared = old.keys() & new.keys()
    return compare_keyed("receivers", {k: (CONFIG, _flat(old[k], "", {})) for k in shared},
                         {k: (CONFIG, _flat(new[k], "", {})) for k in shared})


def inhibition_table(tree: OutTree) -> Named:
    """Inhibit rules keyed by what mutes (their source matchers as read), their target matchers as read and the
    rest of their settings as fields; FileError naming a rule the side's release would refuse."""
    release = alertmanager_release(tree)
    found: list[tuple[str, str, dict[str, str]]] = []
    names: list[str] = []
    for rule in (tree.document(CONFIG) or {}).get("inhibit_rules") or ():
        try:
            read = InhibitRule.parse(rule, release)
        except ValueError as error:
            raise FileError(tree.root / CONFIG, str(error)) from None
        fields = _flat({k: v for k, v in rule.items() if k not in INHIBIT_MATCHERS}, "", {})
        found.append((_read(read.sources, release), CONFIG,
                      {**fields, "target_matchers": _read(read.targets, release)}))
        names.append(", ".join(written({k.removeprefix("source_"): v for k, v in rule.items()
                                        if k.startswith("source_")})))
    return _named(found, names)


def compare_inhibitions(base: OutTree, head: OutTree) -> list[Change]:
    """Inhibition rules keyed by what mutes (source matchers, as read)."""
    return _compare_named("inhibitions", inhibition_table(base), inhibition_table(head))
