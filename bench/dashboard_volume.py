"""Dashboard load time at production volume: the plan's "dashboards load under 2 s" against a fleet, not the demo.

bench/dashboard_load.py measures the live demo stack, a handful of series. This writes a production-sized TSDB
for the shipped definitions' metrics (40 application pods and 40 node-exporter hosts per --scale, every label at
realistic cardinality, two replicas of each of the stack's servers), at the shipped scrape interval, with the real
`promtool tsdb create-blocks-from openmetrics`; evaluates the shipped recording rules the dashboards read over it
with `promtool tsdb create-blocks-from rules`; starts the real prometheus on it (loopback, free port, default
query limits, exemplar storage on as the shipped server runs); and opens every dashboard of out/grafana as Grafana
would (bench/dashvol/loads.py), N times: each target's query, and the /api/v1/query_exemplars request of each target
that shows exemplars (the backfilled blocks hold no exemplars: what is timed is Prometheus' answer over an empty
exemplar buffer, plus the request's own cost).

Each series is written as far back as the dashboards read it (a 1 h panel rating it over 5 m: 1 h 5 m), capped at
--days for raw reads and at --rule-hours for what recording rules read (and the rules' own evaluation): older
samples would not change a query's cost, only the time to write them. Values are seeded closed-form curves, so a
run is reproducible: same --seed, --scale and --end, same TSDB.

Usage: python bench/dashboard_volume.py [--scale 1] [--days 2] [--rule-hours 1] [--loads 3] [--parallel 6]
       [--keep DIR] [--out DIR]
Default volume: 31k series, 21M samples over up to 2 days, 56 MiB of TSDB; while writing, at most two 2 h windows
of OpenMetrics text on disk at once (about 1.5 GB in the temporary directory) and 1.7 GB of memory; about 7 minutes
on 2 cores at a load average of 5 (3 min raw blocks, 40 s rules, 2.5 min prometheus compacting, 1.5 min of loads);
--scale 0.5 takes about half. --scale 10 (400 pods, 400 hosts) writes ten times the series. --keep DIR reuses a
written volume; --out DIR measures a proposed change of out/ (its added recording rules are evaluated into the kept
volume). Not part of make test.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashvol.fleet import HOSTS_PER_SCALE, PODS_PER_SCALE, metric_series, up_series  # noqa: E402
from bench.dashvol.loads import Opening, Summary, measure  # noqa: E402
from bench.dashvol.reads import Reads, ReadsBuilder, Rule, levels, shipped_rules  # noqa: E402
from bench.dashvol.tsdb import Spanned, compact, prometheus, write_raw, write_rules  # noqa: E402
from generator.core.duration import format_seconds, parse_seconds  # noqa: E402
from generator.load.loader import load  # noqa: E402
from generator.model.project import Project  # noqa: E402
from generator.preview.page import PAGE_WIDTH  # noqa: E402
from generator.preview.source import dashboards, scrape_interval  # noqa: E402

PLAN_TARGET = 2.0
MIN_SPAN = 3600.0
"""Every series of a metric the dashboards read exists for at least the last hour, read or not (the idle CPU mode
is read, the other seven are not): the index a query searches holds all of them, as in production."""
DEFAULT_END = calendar.timegm((2026, 11, 30, 18, 0, 0))
"""The written data's last instant and the dashboards' `now`: fixed, so a run is reproducible."""


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fleet size: 40 pods and 40 hosts per 1.0")
    parser.add_argument("--days", type=float, default=2.0, help="history cap for series dashboards read directly")
    parser.add_argument("--rule-hours", type=float, default=1.0, help="history cap for recording rules' inputs")
    parser.add_argument("--loads", type=int, default=3, help="openings of each dashboard (median reported)")
    parser.add_argument("--parallel", type=int, default=6, help="queries in flight (a browser's connections)")
    parser.add_argument("--jobs", type=int, default=2, help="promtool processes writing blocks at once")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", type=float, default=DEFAULT_END, help="unix time of the last sample")
    parser.add_argument("--keep", type=Path, help="write the TSDB here and keep it; reuse it if already written")
    parser.add_argument("--out", type=Path, default=ROOT / "out",
                        help="the generated tree whose dashboards and rules are measured (a proposed change's copy)")
    return parser.parse_args(argv)


def _reads(options: argparse.Namespace) -> tuple[Project, dict[str, Rule], Reads]:
    """The project, the recording rules of options.out, and what options.out's dashboards read."""
    project = load(ROOT / "definitions").project
    if project is None:
        raise SystemExit("definitions/ do not load: run `obsgen build` for the problems")
    rules = shipped_rules(options.out / "prometheus" / "rules", parse_seconds(project.stack.evaluation_interval))
    families = {name for metric in project.metrics.values() for name in metric.series_names()}
    builder = ReadsBuilder(rules, {*families, "up"}, options.days * 86400, options.rule_hours * 3600)
    grafana = options.out / "grafana"
    for dashboard in dashboards(grafana):
        builder.dashboard(dashboard, options.end, PAGE_WIDTH, scrape_interval(grafana))
    return project, rules, builder.reads


def write_raw_volume(options: argparse.Namespace, project: Project, reads: Reads, data: Path, work: Path
                     ) -> dict[str, float]:
    """Write every series of the metrics the dashboards read into data; returns what was written and how long
    it took."""
    families = {name: metric for metric in project.metrics.values() for name in metric.series_names()}
    wanted = {families[name] for name in reads.raw if name in families}
    candidates = [s for metric in sorted(wanted, key=lambda m: m.name)
                  for s in metric_series(metric, options.scale, options.seed)]
    candidates += up_series({m.source for m in project.metrics.values()}, options.scale)
    spanned = [Spanned(s, max(MIN_SPAN, reads.span(s.name, dict(s.labels)))) for s in candidates]
    step = parse_seconds(project.stack.scrape_interval)
    started = time.monotonic()
    samples = write_raw(spanned, options.end, step, data, work, options.jobs)
    return {"series": len(spanned), "samples": samples, "history_days": max(s.span for s in spanned) / 86400,
            "raw_seconds": time.monotonic() - started, "scale": options.scale, "end": options.end, "step": step,
            "rule_seconds": 0.0, "compact_seconds": 0.0}


def add_rules(volume: dict[str, Any], rules: dict[str, Rule], reads: Reads, data: Path, work: Path) -> None:
    """Evaluate the rules the dashboards read that data does not hold yet (all of them on a fresh volume; those
    a proposed change adds on a kept one), then let prometheus compact."""
    done = set(volume.get("rules_written", []))
    missing = {name: span for name, span in reads.rules.items() if name not in done}
    if not missing:
        return
    started = time.monotonic()
    order = levels(rules, missing)
    write_rules(rules, order, missing, volume["end"], data, work)
    volume["rule_seconds"] += time.monotonic() - started
    volume["rules_written"] = sorted(done | set(missing))
    volume["rule_levels"] = max(volume.get("rule_levels", 0), len(order))
    started = time.monotonic()
    volume["blocks"] = compact(data, work)
    volume["compact_seconds"] += time.monotonic() - started


def _disk(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def table(summaries: list[Summary], volume: dict[str, Any], loads: int, parallel: int, disk_mib: float) -> str:
    """The report: volume, one row per dashboard, the slowest query of each, the verdict."""
    lines = [
        f"volume: {volume['series']:,} raw series, {volume['samples']:,} samples written, up to "
        f"{volume['history_days']:.2f} days back at {format_seconds(volume['step'])} (scale {volume['scale']:g}: "
        f"{PODS_PER_SCALE * volume['scale']:.0f} pods, {HOSTS_PER_SCALE * volume['scale']:.0f} hosts), "
        f"{len(volume.get('rules_written', []))} recording rules in {volume.get('rule_levels', 0)} levels; "
        f"{disk_mib:,.0f} MiB on disk; written in {volume['raw_seconds']:.0f} s (raw) + "
        f"{volume['rule_seconds']:.0f} s (rules) + {volume['compact_seconds']:.0f} s (prometheus compacting them to "
        f"{volume.get('blocks', 0)} blocks)",
        f"{loads} loads per dashboard, {parallel} queries in flight, "
        f"now = {time.strftime('%Y-%m-%d %H:%M', time.gmtime(volume['end']))} UTC; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when measured (other work slows it)",
        "",
        f"| {'dashboard':<22} | range | queries | median s | worst s | series touched | samples touched | "
        f"slowest panel (median s) | < {PLAN_TARGET:g} s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        verdict = "yes" if s.median < PLAN_TARGET and not s.errors else "**no**"
        lines.append(f"| {s.title:<22} | {format_seconds(s.range_seconds)} | {s.queries} | {s.median:.2f} | "
                     f"{s.worst:.2f} | {s.series:,} | {s.samples:,} | {s.slowest_panel} ({s.slowest_seconds:.2f}) | "
                     f"{verdict} |")
    lines.append("")
    for s in summaries:
        lines.append(f"slowest query of {s.title}: `{s.slowest_expr}`")
        lines += [f"  error: {error}" for error in s.errors]
        if s.exemplar_requests:
            lines.append(f"  exemplar requests (/api/v1/query_exemplars, among its queries): {s.exemplar_requests}, "
                         f"slowest {s.exemplar_seconds:.2f} s (median)")
    missed = [s.title for s in summaries if s.median >= PLAN_TARGET or s.errors]
    lines.append("")
    lines.append(f"plan target, every dashboard under {PLAN_TARGET:g} s (median load): "
                 + (f"MISSED by {', '.join(missed)}" if missed else "met"))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write the volume (or reuse --keep's), serve it, open every dashboard, print the table."""
    options = _options(argv)
    with tempfile.TemporaryDirectory(prefix="dashvol-") as scratch:
        root = options.keep or Path(scratch)
        data, work = root / "data", root / "work"
        stamp = root / "volume.json"
        project, rules, reads = _reads(options)
        if not stamp.exists():
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
            work.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps(write_raw_volume(options, project, reads, data, work)))
        volume = json.loads(stamp.read_text())
        add_rules(volume, rules, reads, data, work)
        stamp.write_text(json.dumps(volume))
        grafana = options.out / "grafana"
        with prometheus(data, work) as url:
            summaries = [measure(Opening(d, url, volume["end"], PAGE_WIDTH, scrape_interval(grafana)),
                                 options.loads, options.parallel) for d in dashboards(grafana)]
        print(table(summaries, volume, options.loads, options.parallel, _disk(data)))
        return 1 if any(s.median >= PLAN_TARGET or s.errors for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
