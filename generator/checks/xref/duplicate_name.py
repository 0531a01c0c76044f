"""Names are unique within their kind.

Metrics, recording rules, alerts, channels, escalation policies, scrape jobs, dashboards (name and uid),
databases, services, log streams, log alerts, LogQL recording rules and rule sets are referred to by name; two of
one name would silently replace each other in the generated files. Business metrics and forecasts share one
namespace: the exporter's self-metrics tell its jobs apart by name.

The problem is reported at the definition in the more recently edited file (the one just added, usually) and
names the other place.

Fix: rename one of the two, or remove the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.dashboards import dashboards
from generator.load.locate import newest_first
from generator.model import (
    Alert,
    BusinessMetric,
    Channel,
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

Namespace = tuple[str, Callable[[Project], list[Definition]], Callable[[Definition], list[str]]]


def _named(kind: type[Definition]) -> Callable[[Project], list[Definition]]:
    return lambda project: list(project.all(kind))


def _name(obj: Definition) -> list[str]:
    return [str(getattr(obj, "name"))]  # noqa: B009


NAMESPACES: tuple[Namespace, ...] = (
    ("metric", _named(Metric), _name),
    ("recording rule", lambda p: [o for o in p.objects if isinstance(o, RecordingRule)], _name),
    ("alert", _named(Alert), _name),
    ("channel", _named(Channel), _name),
    ("escalation policy", _named(EscalationPolicy), _name),
    ("scrape job", _named(ScrapeJob), _name),
    ("dashboard", lambda p: list(dashboards(p)), lambda d: list(dict.fromkeys([_name(d)[0], getattr(d, "uid")]))),  # noqa: B009
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
        first: dict[str, Definition] = {}
        for obj in members(context.project):
            for key in keys(obj):
                other = first.setdefault(key, obj)
                if other is obj:
                    continue
                newer, older = newest_first((obj, other))
                yield Finding(newer, f"duplicate {label} name {key!r}, also defined at {older.location}", ("name",),
                              (older.location,))
