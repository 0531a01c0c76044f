"""Names are unique within their kind.

Metrics, recording rules, alerts, channels, escalation policies, scrape jobs, dashboards, databases, services, log
streams, log alerts, LogQL recording rules and rule sets are referred to by name; two of one name would silently
replace each other in the generated files. Business metrics and forecasts share one namespace: the exporter's
self-metrics tell its jobs apart by name. A dashboard's uid (its grafana_uid, or derived from its name) is unique
too: Grafana keeps one dashboard of a uid. Two definitions that clash in name and uid are one finding.

The problem is reported at the definition in the more recently edited file (the one just added, usually) and
names the other place.

Fix: rename one of the two, or remove the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import cast

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.dashboards import dashboards
from generator.load.locate import newest_first
from generator.model import (
    Alert,
    BusinessMetric,
    Channel,
    Dashboard,
    Database,
    Definition,
    EscalationPolicy,
    Forecast,
    LogAlert,
    LogRecordingRule,
    LogStream,
    Metric,
    RecordingRule,
    RuleSet,
    ScrapeJob,
    Service,
)
from generator.model.project import Project

CODE = "XR001"
NAME = "duplicate-name"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it

Namespace = tuple[str, Callable[[Project], list[Definition]], Callable[[Definition], list[tuple[str, str]]]]
"""What is named, its members, and each member's keys: (the key's field, its value), a name or a dashboard's uid."""


def _named(kind: type[Definition]) -> Callable[[Project], list[Definition]]:
    return lambda project: list(project.all(kind))


def _name(obj: Definition) -> list[tuple[str, str]]:
    return [("name", str(getattr(obj, "name")))]  # noqa: B009


def _name_and_uid(dashboard: Definition) -> list[tuple[str, str]]:
    return [*_name(dashboard), ("uid", getattr(dashboard, "uid"))]  # noqa: B009


def _uid_clash(newer: Definition, older: Definition, uid: str) -> tuple[str, tuple[str, ...]]:
    """The message and field of two dashboards of one uid, the newer's grafana_uid or its name's (one derives it)."""
    board, other = cast(Dashboard, newer), cast(Dashboard, older)
    whose = f"dashboard {board.name}'s {'grafana_uid' if board.grafana_uid else 'uid, from its name'}"
    return (f"duplicate dashboard uid {uid!r} ({whose}), also the uid of dashboard {other.name} at "
            f"{older.location}: Grafana would keep one of them", ("grafana_uid" if board.grafana_uid else "name",))


NAMESPACES: tuple[Namespace, ...] = (
    ("metric", _named(Metric), _name),
    ("recording rule", lambda p: [o for o in p.objects if isinstance(o, RecordingRule)], _name),
    ("alert", _named(Alert), _name),
    ("channel", _named(Channel), _name),
    ("escalation policy", _named(EscalationPolicy), _name),
    ("scrape job", _named(ScrapeJob), _name),
    ("dashboard", lambda p: list(dashboards(p)), _name_and_uid),
    ("database", _named(Database), _name),
    ("service", _named(Service), _name),
    ("log stream", _named(LogStream), _name),
    ("log alert", _named(LogAlert), _name),
    ("LogQL recording rule", _named(LogRecordingRule), _name),
    ("rule set", _named(RuleSet), _name),
    ("exporter job (business metric or forecast)",
     lambda p: [*p.all(BusinessMetric), *p.all(Forecast)], _name),
)


def check(context: Context) -> Iterator[Finding]:
    for label, members, keys in NAMESPACES:
        first: dict[tuple[str, str], Definition] = {}
        told: set[tuple[int, int]] = set()  # one clash of two definitions is one finding (a dashboard's name and uid)
        for obj in members(context.project):
            for field, key in keys(obj):
                other = first.setdefault((field, key), obj)
                if other is obj or (id(other), id(obj)) in told:
                    continue
                told.add((id(other), id(obj)))
                newer, older = newest_first((obj, other))
                message, path = (_uid_clash(newer, older, key) if field == "uid" else
                                 (f"duplicate {label} name {key!r}, also defined at {older.location}", ("name",)))
                yield Finding(newer, message, path, (older.location,))
