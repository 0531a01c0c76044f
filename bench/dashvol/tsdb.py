"""Writing the fleet's past as TSDB blocks with the real promtool, then the recording rules over it.

Raw series go through `promtool tsdb create-blocks-from openmetrics`, one OpenMetrics file per 2 h block range
(promtool re-reads its whole input once per block range it writes, so one file of days would be read dozens of
times), several files at once. Recording rules go through `promtool tsdb create-blocks-from rules` against a
Prometheus serving the blocks written so far, level by level: promtool evaluates a rule only over series already
in the TSDB, so rules reading other rules' series wait for those to be written.
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from bench.dashvol.fleet import Series
from bench.dashvol.reads import Rule
from generator.targets.prometheus import FEATURES

BLOCK = 7200.0
"""promtool's block range: files are cut on its boundaries, so blocks of different files never overlap."""
PROMTOOL_TIMEOUT = 1800


@dataclass(frozen=True)
class Spanned:
    """A series and how far back from the end it is written."""

    series: Series
    span: float


_WORK: list[Spanned] = []
"""The series, handed to forked workers without pickling them for every window."""


def _promtool(*args: str) -> None:
    result = subprocess.run(["promtool", "tsdb", *args], capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT)
    if result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-2000:]
        raise RuntimeError(f"promtool tsdb {' '.join(args[:2])} failed:\n{output}")


def _window(args: tuple[float, float, float, float, str, str]) -> int:
    """OpenMetrics of every sample in [start, stop), turned into blocks in data_dir; returns samples written."""
    start, stop, end, step, work, data_dir = args
    path = Path(work) / f"window-{int(start)}.om"
    written = 0
    with path.open("w") as out:
        for item in _WORK:  # sorted by name: OpenMetrics wants each family contiguous
            first = max(start, end - item.span)
            first = math.ceil(first / step) * step
            if first >= stop:
                continue
            text = item.series.text()
            value = item.series.value
            last = min(stop - step / 2, end + step / 2)  # stop is the next window's start
            times = [first + k * step for k in range(int((last - first) // step) + 1)]
            out.write("".join(f"{text} {value(t)} {t:.0f}\n" for t in times))
            written += len(times)
        out.write("# EOF\n")
    if written:
        _promtool("create-blocks-from", "openmetrics", "--quiet", str(path), data_dir)
    path.unlink()
    return written


def write_raw(spanned: list[Spanned], end: float, step: float, data_dir: Path, work: Path, jobs: int) -> int:
    """Every series' samples from end - span to end, at step; returns the samples written."""
    _WORK[:] = sorted(spanned, key=lambda item: item.series.name)
    oldest = end - max((item.span for item in spanned), default=0.0)
    first = math.floor(oldest / BLOCK) * BLOCK
    windows = [(t, min(t + BLOCK, end + step), end, step, str(work), str(data_dir))
               for t in range(int(first), int(end) + 1, int(BLOCK))]
    with ProcessPoolExecutor(max_workers=jobs) as pool:  # fork: workers inherit _WORK
        return sum(pool.map(_window, reversed(windows)))  # newest first: the biggest windows start early


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def prometheus(data_dir: Path, work: Path, max_samples: int = 0) -> Iterator[str]:
    """The real prometheus serving data_dir on a free loopback port, no scrapes, no rules; yields its URL."""
    config = work / "prometheus.yml"
    config.write_text("global: {}\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d", "--log.level=warn",
            *(f"--enable-feature={feature}" for feature in FEATURES)]  # as the shipped server runs: exemplars kept
    if max_samples:
        args.append(f"--query.max-samples={max_samples}")
    log = (work / f"prometheus-{port}.log").open("w")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/-/ready", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not start, see {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _blocks(data_dir: Path) -> set[str]:
    return {meta.parent.name for meta in data_dir.glob("*/meta.json")}


def compact(data_dir: Path, work: Path, quiet: float = 75.0) -> int:
    """Let prometheus compact the written 2 h blocks as a long-running server has (its compaction runs every
    minute), until the blocks stay the same for `quiet` seconds; returns how many blocks are left. A measurement
    during compaction would time the compaction too."""
    with prometheus(data_dir, work):
        seen, since = _blocks(data_dir), time.monotonic()
        while time.monotonic() - since < quiet:
            time.sleep(5)
            now = _blocks(data_dir)
            if now != seen:
                seen, since = now, time.monotonic()
    return len(_blocks(data_dir))


def write_rules(rules: dict[str, Rule], levels: list[list[str]], spans: dict[str, float], end: float,
                data_dir: Path, work: Path) -> None:
    """Each needed rule evaluated at its group's interval over its span back from end, added to data_dir."""
    for level in levels:
        batches: dict[tuple[float, float], list[Rule]] = {}
        for name in level:
            rule = rules[name]
            batches.setdefault((rule.interval, spans[name]), []).append(rule)
        staged = work / "staged"
        staged.mkdir(exist_ok=True)
        with prometheus(data_dir, work) as url, tempfile.TemporaryDirectory(dir=work) as blocks:
            for (interval, span), batch in sorted(batches.items()):
                rule_file = Path(blocks) / f"rules-{int(interval)}-{int(span)}.yml"
                rule_file.write_text(yaml.safe_dump({"groups": [{"name": "backfill", "rules": [
                    {"record": r.name, "expr": r.expr, **({"labels": r.labels} if r.labels else {})}
                    for r in batch]}]}))
                start = math.ceil((end - span) / interval) * interval
                output = Path(blocks) / f"out-{int(interval)}-{int(span)}"
                _promtool("create-blocks-from", "rules", "--quiet", f"--url={url}", f"--start={int(start)}",
                          f"--end={int(end)}", f"--eval-interval={int(interval)}s", f"--output-dir={output}",
                          str(rule_file))
                for block in (b for b in output.iterdir() if (b / "meta.json").exists()):
                    shutil.move(str(block), staged / block.name)
        for block in list(staged.iterdir()):  # once prometheus has stopped: it never sees a block appear
            shutil.move(str(block), data_dir / block.name)
