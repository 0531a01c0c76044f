"""History for the live stack: the demo's counters and gauges, and the recording rules over them.

Rules such as "revenue below half of its 7-day average" need a week of data. Before Prometheus starts,
the demo's past is written as OpenMetrics and turned into TSDB blocks (`promtool tsdb create-blocks-from
openmetrics`); then a short-lived Prometheus on those blocks lets `promtool tsdb create-blocks-from rules`
evaluate every recording rule over the same past. The demo application continues the same counters,
so history and live data join without a reset.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.core.duration import parse_seconds
from generator.core.promql import selectors
from generator.live.demo.business import BusinessModel, Series
from generator.live.supervisor import Supervisor, http_ready
from generator.model import Forecast, RecordingRule
from generator.model.project import Project

HELPER = "backfill-prometheus"
"""The short-lived Prometheus the recording rules are evaluated on."""
Gauges = Callable[[float], dict[Series, float]]
"""Series the demo serves with every label its scrape gives them (a simulated host's), by Unix time."""
LOOKBACK = 300.0
"""Seconds: how far back an instant query finds a series' last sample (Prometheus' default --query.lookback-delta,
which the live stack keeps)."""
FIRST_SCRAPE_DELAY = 5.0
"""Seconds from Prometheus' start to its first scrape of a target: Prometheus 2.42 hands discovered targets to its
scrape manager at most every 5 s, with no flag to change it."""


def _expressions(project: Project) -> list[str]:
    return [rule.expr for rule in project.recording_rules.values()] + [a.condition for a in project.alerts.values()]


@dataclass(frozen=True)
class Window:
    """A range through which an expression reads the demo's series, and how far back its offsets move it."""

    seconds: float
    offset: float
    raw: bool
    """Over a modelled series itself, not over a recording of it."""


def _windows(project: Project, expr: str, modelled: frozenset[str], seen: frozenset[str] = frozenset()
             ) -> list[Window]:
    """Every range (and offset) through which expr reads the demo's series, directly or through recordings."""
    found: list[Window] = []
    for selector in selectors(expr):
        rule = project.recording_rules.get(selector.name)
        if selector.name in modelled:
            found.append(Window(selector.window or 0.0, selector.offset, True))
        elif rule is not None and selector.name not in seen:
            inner = _windows(project, rule.expr, modelled, seen | {selector.name})
            if inner:
                found += [Window(w.seconds, w.offset + selector.offset, w.raw) for w in inner]
                found.append(Window(selector.window or 0.0, selector.offset, False))
    return found


@dataclass(frozen=True)
class History:
    """How much past to write, and at what spacing."""

    start: float
    end: float
    step: float

    @classmethod
    def for_rules(cls, project: Project, modelled: frozenset[str], end: float) -> History:
        """Twice the longest range through which a rule reads the demo's series (a full window of a recorded
        series, each value over a full window of its own) plus its offset (last week's hour reaches back a
        week), sampled at the scrape interval: a window holding the past at one spacing and live scrapes at
        another makes increase() extrapolate differently on each side, a jump of several percent that the
        anomaly detector, which learnt from the smooth past, would call anomalous."""
        windows = [w for expr in _expressions(project) for w in _windows(project, expr, modelled)]
        reach = max((2 * w.seconds + w.offset for w in windows), default=7200.0)
        return cls(end - reach, end, parse_seconds(project.stack.scrape_interval))


def _labels(series: Series, target: dict[str, str]) -> str:
    labels = {**series.label_dict, **target}
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def openmetrics(model: BusinessModel, history: History, target: dict[str, str], hosts: Gauges | None = None) -> str:
    """The demo's past as OpenMetrics text, each series with the labels its scrape will give it; ``hosts``' series
    at the same times, with their own labels."""
    samples: dict[str, list[str]] = defaultdict(list)
    for t, values in model.history(history.start, history.end, history.step):
        for series, value in values.items():
            samples[series.name + _labels(series, target)].append(f"{value:.6f} {t:.3f}")
        for series, value in (hosts(t) if hosts is not None else {}).items():
            samples[series.name + _labels(series, {})].append(f"{value:.6f} {t:.3f}")
    lines = []
    for name in sorted(samples, key=lambda key: key.split("{")[0]):  # families must be contiguous
        lines += [f"{name} {sample}" for sample in samples[name]]
    return "\n".join(lines) + "\n# EOF\n"


def _promtool(*args: str) -> None:
    result = subprocess.run(["promtool", "tsdb", *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"promtool tsdb {args[0]} failed:\n{result.stdout}{result.stderr}")


def write_raw(model: BusinessModel, history: History, target: dict[str, str], data_dir: Path, work: Path,
              hosts: Gauges | None = None) -> int:
    """Blocks of the demo's own series (and ``hosts``') in data_dir; returns the number of samples written."""
    text = openmetrics(model, history, target, hosts)
    source = work / "history.om"
    source.write_text(text)
    _promtool("create-blocks-from", "openmetrics", "--quiet", str(source), str(data_dir))
    return text.count("\n") - 1


def healthy_scrapes(project: Project, until: float) -> Gauges:
    """`up` at 1 for every target the live build's Prometheus scrapes, labelled as its scrapes label it, up to
    `until` (Unix seconds): the pipeline's own past beside the demo's. An SLO over its self-scrapes
    (MetricsPipelineScrapes) reads `up` over windows of up to 3 days (72 minutes at 60x): with only the stack's own
    minutes in them, the few scrapes a restart misses were most of a 3-day window, and its slowest burn alert paged
    for a budget a young stack had hardly spent. Give `until` a LOOKBACK before Prometheus starts: a written sample
    that an instant query still finds after the start would stand for a scrape there, and the self-scrape
    availability (availability.py, from the first `up` it finds in its window) would count the seconds before the
    first real scrape as scrapes missed."""
    found: dict[Series, float] = {}
    for job in project.scrape_jobs:
        for target in job.targets:
            labels = {"job": job.name, "instance": target, **job.labels}
            found[Series("up", tuple(sorted(labels.items())))] = 1.0
    return lambda t: found if t <= until else {}


def needing_history(project: Project, modelled: frozenset[str]) -> list[RecordingRule]:
    """Recording rules over the demo's series that need a past: some rule or alert reads them over a range or at
    an offset, or a forecast learns from them (the exporter reads a forecast's expression over its history)."""
    ranged = {s.name for expr in _expressions(project) for s in selectors(expr) if s.ranged or s.offset}
    learnt = {s.name for forecast in project.all(Forecast) for s in selectors(forecast.expr)}
    return [rule for name, rule in project.recording_rules.items()
            if name in ranged | learnt and _windows(project, rule.expr, modelled)]


def write_recorded(rules: list[RecordingRule], history: History, data_dir: Path, work: Path, port: int,
                   eval_interval: str, supervisor: Supervisor) -> None:
    """Blocks of the given recording rules evaluated over the backfilled past, added to data_dir. The helper
    Prometheus they are evaluated on is recorded by the stack's supervisor while it runs, so that `down` stops
    it when `up` was killed meanwhile."""
    if not rules:
        return
    config = work / "backfill-prometheus.yml"
    config.write_text("global: {}\n")
    rule_file = work / "backfill-rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "backfill", "rules": [
        # with the rule's labels, as the live Prometheus records it: a past without them is another series, which
        # the live one's instant lookback meets (an SLO's events rate and error rate: "same labelset" on division)
        {"record": rule.name, "expr": rule.expr, **({"labels": rule.labels} if rule.labels else {})} for rule in rules
    ]}]}))
    url = f"http://127.0.0.1:{port}"
    try:
        supervisor.start(HELPER, [
            "prometheus", f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], http_ready(url + "/-/ready"), url)
        with tempfile.TemporaryDirectory(dir=work) as blocks:
            _promtool("create-blocks-from", "rules", "--quiet", f"--url={url}", f"--start={int(history.start)}",
                      f"--end={int(history.end)}", f"--eval-interval={eval_interval}", f"--output-dir={blocks}",
                      str(rule_file))
            supervisor.stop(HELPER)
            for block in Path(blocks).iterdir():
                if (block / "meta.json").exists():
                    shutil.move(str(block), data_dir / block.name)
    finally:
        supervisor.stop(HELPER)


@dataclass(frozen=True)
class Recorder:
    """The recording rules over the demo's series, and how often the live Prometheus evaluates them: what
    write_recorded needs besides the stretch of past and a port."""

    rules: tuple[RecordingRule, ...]
    eval_interval: str

    def write(self, history: History, data_dir: Path, port: int, supervisor: Supervisor) -> float:
        """The rules evaluated over history into data_dir; returns the seconds it took."""
        started = time.monotonic()
        write_recorded(list(self.rules), history, data_dir, data_dir.parent, port, self.eval_interval, supervisor)
        return time.monotonic() - started


@dataclass(frozen=True)
class Past:
    """The demo's backfilled history: where its shop opened, and how to write the rest of it up to now."""

    epoch: float
    model: BusinessModel | None
    history: History
    target: dict[str, str]
    recorder: Recorder | None = None
    recording_seconds: float = 0.0
    """How long evaluating the rules over the whole history took: the catch-up's evaluation takes no longer."""
    hosts: Gauges | None = None
    """The simulated hosts' series, written with the shop's."""

    def catch_up(self, data: Path, port: int, supervisor: Supervisor) -> None:
        """The demo's series, and the recording rules over them, from the end of the history up to Prometheus'
        first scrape, written just before it starts. The seconds spent starting the other servers, and the first
        scrape's delay, would otherwise be a gap: increase() over a compressed hour whose window starts or ends in
        it extrapolates only half a scrape into it, a dip of several percent the anomaly detector rightly reports
        as a new shape (the same gap after a real restart is a few seconds of an hour), and a recorded series
        stays flat across it (query_range fills a gap with the last value), a flat stretch of several of the
        forecasts' steps once a busy machine makes the start slow. The seconds written ahead are what the demo
        will serve then (no fault is injected before the stack is up); a scrape or a rule evaluation that comes
        sooner is stored beside the written blocks (the live Prometheus' out-of-order window, stack.py
        OUT_OF_ORDER_WINDOW; without one it is refused as out of bounds), so both series go on without a gap."""
        step = self.history.step
        ahead = FIRST_SCRAPE_DELAY + step + (self.recording_seconds if self.recorder else 0.0)
        rest = History(self.history.end + step, time.time() + ahead, step)
        if self.model is None or rest.end <= rest.start:
            return
        write_raw(self.model, rest, self.target, data, data.parent, self.hosts)
        if self.recorder is not None:
            self.recorder.write(rest, data, port, supervisor)
