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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.core.promql import selectors
from generator.live.demo.business import BusinessModel, Series
from generator.live.supervisor import Supervisor, http_ready
from generator.model import RecordingRule
from generator.model.project import Project

MAX_STEP = 15.0
"""Seconds between backfilled samples at most (the plan's collection interval)."""
SAMPLES_PER_WINDOW = 4
"""Samples in the shortest range over the demo's series, so rate() over it always has enough."""


def _expressions(project: Project) -> list[str]:
    return [rule.expr for rule in project.recording_rules.values()] + [a.condition for a in project.alerts.values()]


def _windows(project: Project, expr: str, modelled: frozenset[str], seen: frozenset[str] = frozenset()
             ) -> list[tuple[float, bool]]:
    """(range, over a modelled series itself) of every range through which expr reads the demo's series."""
    found: list[tuple[float, bool]] = []
    for selector in selectors(expr):
        rule = project.recording_rules.get(selector.name)
        if selector.name in modelled:
            found.append((selector.window or 0.0, True))
        elif rule is not None and selector.name not in seen:
            inner = _windows(project, rule.expr, modelled, seen | {selector.name})
            if inner:
                found += [*inner, (selector.window or 0.0, False)]
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
        series, each value over a full window of its own), with the shortest such range sampled enough."""
        windows = [w for expr in _expressions(project) for w in _windows(project, expr, modelled)]
        longest = max((seconds for seconds, _ in windows), default=3600.0)
        shortest = min((seconds for seconds, raw in windows if raw and seconds), default=60.0)
        return cls(end - 2 * longest, end, min(MAX_STEP, shortest / SAMPLES_PER_WINDOW))


def _labels(series: Series, target: dict[str, str]) -> str:
    labels = {**series.label_dict, **target}
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def openmetrics(model: BusinessModel, history: History, target: dict[str, str]) -> str:
    """The demo's past as OpenMetrics text, each series with the labels its scrape will give it."""
    samples: dict[str, list[str]] = defaultdict(list)
    for t, values in model.history(history.start, history.end, history.step):
        for series, value in values.items():
            samples[series.name + _labels(series, target)].append(f"{value:.6f} {t:.3f}")
    lines = []
    for name in sorted(samples, key=lambda key: key.split("{")[0]):  # families must be contiguous
        lines += [f"{name} {sample}" for sample in samples[name]]
    return "\n".join(lines) + "\n# EOF\n"


def _promtool(*args: str) -> None:
    result = subprocess.run(["promtool", "tsdb", *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"promtool tsdb {args[0]} failed:\n{result.stdout}{result.stderr}")


def write_raw(model: BusinessModel, history: History, target: dict[str, str], data_dir: Path, work: Path) -> int:
    """Blocks of the demo's own series in data_dir; returns the number of samples written."""
    text = openmetrics(model, history, target)
    source = work / "history.om"
    source.write_text(text)
    _promtool("create-blocks-from", "openmetrics", "--quiet", str(source), str(data_dir))
    return text.count("\n") - 1


def read_over_ranges(project: Project, modelled: frozenset[str]) -> list[RecordingRule]:
    """Recording rules over the demo's series that some rule or alert reads over a range: they need a past."""
    ranged = {s.name for expr in _expressions(project) for s in selectors(expr) if s.ranged}
    return [rule for name, rule in project.recording_rules.items()
            if name in ranged and _windows(project, rule.expr, modelled)]


def write_recorded(rules: list[RecordingRule], history: History, data_dir: Path, work: Path, port: int,
                   eval_interval: str) -> None:
    """Blocks of the given recording rules evaluated over the backfilled past, added to data_dir."""
    if not rules:
        return
    config = work / "backfill-prometheus.yml"
    config.write_text("global: {}\n")
    rule_file = work / "backfill-rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "backfill", "rules": [
        {"record": rule.name, "expr": rule.expr} for rule in rules]}]}))
    helper = Supervisor(work / "backfill")
    url = f"http://127.0.0.1:{port}"
    try:
        helper.start("backfill-prometheus", [
            "prometheus", f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], http_ready(url + "/-/ready"), url)
        with tempfile.TemporaryDirectory(dir=work) as blocks:
            _promtool("create-blocks-from", "rules", "--quiet", f"--url={url}", f"--start={int(history.start)}",
                      f"--end={int(history.end)}", f"--eval-interval={eval_interval}", f"--output-dir={blocks}",
                      str(rule_file))
            helper.stop_all()
            for block in Path(blocks).iterdir():
                if (block / "meta.json").exists():
                    shutil.move(str(block), data_dir / block.name)
    finally:
        helper.stop_all()
