"""A watching build makes a dashboard's JSON, its page and its ConfigMap again only when the edit can change them, and
leaves out/ byte for byte as a full build after each edit of anything they read: an alert a dashboard lists, which
alerts a row lists, a recording rule, the stack's URLs, the dashboard itself, or none of these."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.checks import base
from generator.core import disk_cache
from generator.load.warm import WarmModules
from generator.package import emit, kubernetes
from generator.replay import build
from generator.targets import docs, grafana
from tests.edits import replaced

STACK = '''
from generator.model import (AlertingConfig, EmailChannel, Kubernetes, Metric, MetricType, ScrapeJob, Severity, Smtp,
                             Source, Stack)

STACK = Stack(name="watch", docs_url="https://docs.example.com", grafana_url="https://grafana.example.com")
KUBERNETES = Kubernetes()
JOBS = [ScrapeJob(name="node", source=Source.NODE_EXPORTER, targets=("node:9100",)),
        ScrapeJob(name="prometheus", source=Source.PROMETHEUS, targets=("prometheus:9090",)),
        ScrapeJob(name="alertmanager", source=Source.ALERTMANAGER, targets=("alertmanager:9093",))]
CHANNELS = [EmailChannel(name="email", to=("oncall@example.com",))]
ALERTING = AlertingConfig(smtp=Smtp(smarthost="smtp.example.com:587", sender="alertmanager@example.com"),
                          severities=(Severity(name="warning", channels=("email",), cooldown="5m"),))
LOAD = Metric(name="node_load1", type=MetricType.GAUGE, source=Source.NODE_EXPORTER, help="Load.")
MEMORY = Metric(name="node_memory_MemAvailable_bytes", type=MetricType.GAUGE, source=Source.NODE_EXPORTER,
                help="Memory available.")
'''
RULES = '''
from generator.model import RecordingRule

LOAD_MAX = RecordingRule(name="instance:load:max", expr="max by (instance) (node_load1)")
UP_MIN = RecordingRule(name="job:up:min", expr="min by (job) (up)")
'''
DASHBOARDS = '''
from generator.model import Dashboard, Panel, Row

BOARDS = [Dashboard(name=f"Hosts {number}", description="Hosts.", rows=(Row(title="Hosts", panels=(
    Panel(kind="line", title="Load", description="Load average.", unit="short",
          queries="max by (instance) (node_load1)"),
    Panel(kind="line", title="Memory", description="Memory available.", unit="bytes",
          queries="min by (instance) (node_memory_MemAvailable_bytes)"),
    Panel(kind="state-timeline", title="Alert states", description="Each alert's state.", unit="short",
          queries="max by (alertname) (ALERTS)"),
    Panel(kind="state-timeline", title="Targets", description="Each job's targets up.", unit="short",
          queries="job:up:min"),
)),)) for number in range(COUNT)]
'''
ALERTS = '''
from generator.model import Alert, Example

SERIES = {'node_load1{instance="a"}': "1000x30", 'node_memory_MemAvailable_bytes{instance="a"}': "1000x30"}


def alert(name: str, expr: str, **fields: str) -> Alert:
    return Alert(name=name, expr=expr, severity="warning", summary=f"{name}.", description=f"{name} fires.",
                 runbook="Look at the host.", **fields,
                 examples=(Example(name="fires", series=SERIES, at="20m", fires=True, labels={"instance": "a"}),))


LOAD_HIGH = alert("LoadHigh", "node_load1 > 4", dashboard="Hosts 0", for_="5m")
LOAD_MAX_HIGH = alert("LoadMaxHigh", "instance:load:max > 8", dashboard="Hosts 1")
OTHERS = [alert(f"LoadExtreme{number}", f"node_load1 > {100 + number}") for number in range(12)]
'''
MORE_ALERTS = '''
from .alerts import alert

MORE = [alert(f"LoadAbsurd{number}", f"node_load1 > {1000 + number}", dashboard="Hosts 2") for number in range(3)]
'''
CHANNEL = '''
from generator.model import WebhookChannel

PAGER = WebhookChannel(name="pager", url="http://pager.example.com/alerts")
'''


class Project:
    """A definitions package of `count` dashboards, built by one watching process (as `obsgen build --watch`)."""

    def __init__(self, directory: Path, count: int) -> None:
        self.directory, self.definitions, self.out = directory, directory / "definitions", directory / "out"
        self.definitions.mkdir()
        self.saves = 0
        for name, text in {"__init__": "", "stack": STACK, "rules": RULES, "alerts": ALERTS,
                           "dashboards": f"COUNT = {count}\n{DASHBOARDS}"}.items():
            self.save(name, text)
        self.warm = WarmModules()

    def save(self, module: str, text: str | None) -> None:
        """Write a module (None: remove it), each save a new modification time as an editor's would be."""
        path = self.definitions / f"{module}.py"
        if text is None:
            path.unlink()
            return
        path.write_text(text)
        self.saves += 1
        stamp = 1_700_000_000_000_000_000 + self.saves * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))

    def edit(self, module: str, old: str, new: str) -> None:
        path = self.definitions / f"{module}.py"
        self.save(module, replaced(path.read_text(), old, new, str(path), first=True))

    def rebuild(self) -> dict[str, bytes]:
        build(self.definitions, self.out, None, self.warm)
        return _files(self.out)


def _files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


JSON, PAGE, CONFIG_MAP = ("grafana/dashboards/General/hosts-{}.json", "docs/dashboards/hosts-{}.md",
                          "kubernetes/grafana-dashboards/grafana-dashboard-hosts-{}.yaml")
EVERY = range(4)


def _of(numbers: Iterable[int], *kinds: str) -> set[str]:
    """These files of these dashboards."""
    return {kind.format(number) for number in numbers for kind in kinds}


EDITS: list[tuple[str, Callable[[Project], None], set[str]]] = [
    ("an alert a dashboard lists (its for, in the Alerts row)",
     lambda p: p.edit("alerts", 'for_="5m"', 'for_="10m"'), _of([0], JSON, CONFIG_MAP)),
    ("an alert moved from one dashboard's alerts row to another's",
     lambda p: p.edit("alerts", 'dashboard="Hosts 0"', 'dashboard="Hosts 2"'), _of([0, 2], JSON, PAGE, CONFIG_MAP)),
    ("the recording rule an alert reads (so the panel it opens)",
     lambda p: p.edit("rules", "(node_load1)", "(node_memory_MemAvailable_bytes)"), _of([1], JSON, PAGE, CONFIG_MAP)),
    ("the recording rule a state timeline reads (its rows, not its height)",
     lambda p: p.edit("rules", "min by (job) (up)", "min(up)"), set()),
    ("the stack's docs_url (runbook links)", lambda p: p.edit("stack", "https://docs.", "https://runbooks."),
     _of([1, 2], JSON, CONFIG_MAP)),
    ("the stack's grafana_url (the pages' links)", lambda p: p.edit("stack", "https://grafana.", "https://dash."),
     _of(EVERY, PAGE)),
    ("a dashboard", lambda p: p.edit("dashboards", 'description="Hosts."', 'description="The hosts."'),
     _of(EVERY, JSON, PAGE, CONFIG_MAP)),
    ("a module defining nothing a dashboard reads", lambda p: p.save("channels", CHANNEL), set()),
    ("alerts added (every alert states timeline grows)", lambda p: p.save("more_alerts", MORE_ALERTS),
     _of(EVERY, JSON, CONFIG_MAP) | _of([2], PAGE)),
    ("alerts removed", lambda p: p.save("more_alerts", None), _of(EVERY, JSON, CONFIG_MAP) | _of([2], PAGE)),
]


def test_after_each_edit_out_is_as_a_full_build_leaves_it(tmp_path: Path) -> None:
    project = Project(tmp_path, 4)
    files = project.rebuild()
    for number, (name, edit, dashboards) in enumerate(EDITS):  # one watch, each edit after the ones before
        edit(project)
        before, files = files, project.rebuild()
        build(project.definitions, tmp_path / f"full-{number}")
        assert files == _files(tmp_path / f"full-{number}"), name
        assert _changed(before, files) & _of(EVERY, JSON, PAGE, CONFIG_MAP) == dashboards, name


@pytest.fixture
def made() -> Iterator[Counter[str]]:
    """The dashboards whose JSON, page, ConfigMap data and JSON's digest are made, by title, counted as they are."""
    counts: Counter[str] = Counter()
    settings, template, serialise = grafana.dashboard_settings, docs.JINJA.get_template, emit.serialise
    digest = disk_cache.value_digest

    def counted_settings(dashboard: Any) -> dict[str, Any]:
        counts[f"json {dashboard.display_title}"] += 1
        return settings(dashboard)

    def counted_template(name: str) -> Any:
        found = template(name)
        if name != "dashboard.md.j2":
            return found

        def render(**values: Any) -> str:
            counts[f"page {values['dashboard'].display_title}"] += 1
            return found.render(**values)
        return type("Counted", (), {"render": staticmethod(render)})

    def counted_serialise(path: str, document: Any, *args: Any) -> bytes:
        if path.endswith(".json"):
            counts[f"configmap {document['title']}"] += 1
        return serialise(path, document, *args)

    def counted_digest(document: Any) -> str | None:
        if isinstance(document, dict) and "panels" in document:
            counts[f"digest {document['title']}"] += 1
        return digest(document)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base, "value_digest", counted_digest)
        patch.setattr(grafana, "dashboard_settings", counted_settings)
        patch.setattr(docs.JINJA, "get_template", counted_template)  # dashboard_docs' JINJA
        patch.setattr(kubernetes, "serialise", counted_serialise)
        yield counts


def test_a_one_alert_edit_makes_again_only_the_dashboard_listing_it(tmp_path: Path, made: Counter[str]) -> None:
    project = Project(tmp_path, 12)
    project.rebuild()
    assert made == Counter({f"{kind} Hosts {number}": 1 for kind in ("json", "page", "configmap", "digest")
                            for number in range(12)})
    made.clear()
    project.edit("alerts", 'for_="5m"', 'for_="10m"')  # LoadHigh, listed on Hosts 0
    project.rebuild()
    assert made == Counter({"json Hosts 0": 1, "page Hosts 0": 1, "configmap Hosts 0": 1, "digest Hosts 0": 1})
    made.clear()
    project.edit("alerts", "> {100 + number}", "> {200 + number}")  # alerts no dashboard lists
    project.rebuild()
    assert made == Counter()
