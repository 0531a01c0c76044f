"""Alertmanager routing compared: which matchers reach which people, receivers' settings, inhibitions."""

from __future__ import annotations

from typing import Any

from generator.analysis.diff.changes import Change, OutTree, Table, compare_keyed, numbered

CONFIG = "alertmanager/alertmanager.yml"
ROUTE_FIELDS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "continue")
# Who an integration reaches, by its config field (so a route change says whom it now notifies).
_REACH = {"email_configs": "to", "slack_configs": "channel", "webhook_configs": "url",
          "pagerduty_configs": "routing_key_file"}


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def reaches(receiver: dict[str, Any] | None) -> str:
    """Whom a receiver notifies, e.g. "email oncall@company.com; slack #alerts, #ops" ("nobody" for none)."""
    if receiver is None:
        return "undefined receiver"
    parts = []
    for field, configs in receiver.items():
        if field.endswith("_configs"):
            whom = ", ".join(str(config.get(_REACH.get(field, ""), "?")) for config in configs)
            parts.append(f"{field.removesuffix('_configs')} {whom}")
    return "; ".join(parts) or "nobody"


def _receivers(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {receiver["name"]: receiver for receiver in config.get("receivers") or ()}


def route_table(config: dict[str, Any]) -> Table:
    """Every route keyed by its matchers (parents' too), with its settings and whom it reaches."""
    receivers = _receivers(config)
    found: list[tuple[str, str, dict[str, str]]] = []

    def visit(route: dict[str, Any], parents: tuple[str, ...]) -> None:
        matchers = (*parents, *route.get("matchers", ()))
        fields = {field: _text(route[field]) for field in ROUTE_FIELDS if field in route}
        fields["reaches"] = reaches(receivers.get(route.get("receiver", "")))
        found.append((", ".join(matchers) or "(root route)", CONFIG, fields))
        for child in route.get("routes") or ():
            visit(child, matchers)

    visit(config.get("route") or {}, ())
    return numbered(found)


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
    return compare_keyed("routes", route_table(base.document(CONFIG) or {}), route_table(head.document(CONFIG) or {}))


def compare_receivers(base: OutTree, head: OutTree) -> list[Change]:
    """Receivers on both sides whose settings changed; new or dropped ones show as route changes."""
    old, new = _receivers(base.document(CONFIG) or {}), _receivers(head.document(CONFIG) or {})
    shared = old.keys() & new.keys()
    return compare_keyed("receivers", {k: (CONFIG, _flat(old[k], "", {})) for k in shared},
                         {k: (CONFIG, _flat(new[k], "", {})) for k in shared})


def compare_inhibitions(base: OutTree, head: OutTree) -> list[Change]:
    """Inhibition rules keyed by what mutes (source matchers)."""
    def table(tree: OutTree) -> Table:
        rules = (tree.document(CONFIG) or {}).get("inhibit_rules") or ()
        return {_text(rule.get("source_matchers", [])): (CONFIG, _flat(rule, "", {})) for rule in rules}

    return compare_keyed("inhibitions", table(base), table(head))
