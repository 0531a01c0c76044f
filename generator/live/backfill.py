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

from generator.live.demo.business import BusinessModel, Series
from generator.live.supervisor import Supervisor, http_ready
from generator.model import RecordingRule
from generator.project import Project
from generator.promql import ranges, selectors

MIN_STEP = 15.0
"""Seconds between backfilled samples (the plan's collection interval), more for very long histories."""
MAX_SAMPLES_PER_SERIES = 1500


@dataclass(frozen=True)
class History:
    """How much past to write, and at what spacing."""

    start: float
    end: float
    step: float

    @classmethod
    def for_rules(cls, project: Project, end: float) -> History:
        """Twice the longest range any rule reads: a full window of recorded series, each over a full window."""
        expressions = [rule.expr for rule in project.recording_rules.values()]
        expressions += [alert.condition for alert in project.alerts.values()]
        longest = max((seconds for expr in expressions for seconds in ranges(expr)), default=3600.0)
        length = 2 * longest
        return cls(end - length, end, max(MIN_STEP, length / MAX_SAMPLES_PER_SERIES))


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


def read_over_ranges(project: Project) -> list[RecordingRule]:
    """Recording rules whose series some rule or alert reads over a range: those need a recorded past."""
    expressions = [rule.expr for rule in project.recording_rules.values()]
    expressions += [alert.condition for alert in project.alerts.values()]
    ranged = {s.name for expr in expressions for s in selectors(expr) if s.ranged}
    return [rule for name, rule in project.recording_rules.items() if name in ranged]


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
