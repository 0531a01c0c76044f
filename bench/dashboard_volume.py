"""Dashboard load time at production volume: the plan's "dashboards load under 2 s" against a fleet, not the demo.

bench/dashboard_load.py measures the live demo stack, a handful of series. This writes a production-sized TSDB
for the shipped definitions' metrics (40 application pods and 40 node-exporter hosts per --scale, every label at
realistic cardinality, two replicas of each of the stack's servers), at the shipped scrape interval, with the real
`promtool tsdb create-blocks-from openmetrics`; evaluates the shipped recording rules the dashboards read over it
with `promtool tsdb create-blocks-from rules`; starts the real prometheus on it (loopback, free port, default
query limits); and opens every dashboard of out/grafana as Grafana would (bench/dashvol/loads.py), N times.

Each series is written as far back as the dashboards read it (a 1 h panel rating it over 5 m: 1 h 5 m), capped at
--days for raw reads and at --rule-hours for what recording rules read (and the rules' own evaluation): older
samples would not change a query's cost, only the time to write them. Values are seeded closed-form curves, so a
run is reproducible: same --seed, --scale and --end, same TSDB.

Usage: python bench/dashboard_volume.py [--scale 1] [--days 3] [--rule-hours 6] [--loads 5] [--parallel 6]
       [--keep DIR]
Default volume: about 45k series, 11M samples, ~130 MB of disk and 3-5 minutes on 2 busy cores; --scale 10
(400 pods, 400 hosts) writes ten times that. Not part of make test.
"""

from __future__ import annotations

import argparse
import calendar
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashvol.fleet import HOSTS_PER_SCALE, PODS_PER_SCALE, metric_series, up_series  # noqa: E402
from bench.dashvol.loads import Opening, Summary, measure  # noqa: E402
from bench.dashvol.reads import ReadsBuilder, levels, shipped_rules  # noqa: E402
from bench.dashvol.tsdb import Spanned, prometheus, write_raw, write_rules  # noqa: E402
from generator.core.duration import format_seconds, parse_seconds  # noqa: E402
from generator.load.loader import load  # noqa: E402
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
    parser.add_argument("--days", type=float, default=3.0, help="history cap for series dashboards read directly")
    parser.add_argument("--rule-hours", type=float, default=2.0, help="history cap for recording rules' inputs")
    parser.add_argument("--loads", type=int, default=5, help="openings of each dashboard (median reported)")
    parser.add_argument("--parallel", type=int, default=6, help="queries in flight (a browser's connections)")
    parser.add_argument("--jobs", type=int, default=2, help="promtool processes writing blocks at once")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", type=float, default=DEFAULT_END, help="unix time of the last sample")
    parser.add_argument("--keep", type=Path, help="write the TSDB here and keep it; reuse it if already written")
    return parser.parse_args(argv)


def build_volume(options: argparse.Namespace, data: Path, work: Path) -> dict[str, float]:
    """Write the raw series and the recording rules into data; returns what was written and how long it took."""
    project = load(ROOT / "definitions").project
    if project is None:
        raise SystemExit("definitions/ do not load: run `obsgen build` for the problems")
    step = parse_seconds(project.stack.scrape_interval)
    rules = shipped_rules(ROOT / "out" / "prometheus" / "rules", parse_seconds(project.stack.evaluation_interval))
    families = {name: metric for metric in project.metrics.values() for name in metric.series_names()}
    builder = ReadsBuilder(rules, {*families, "up"}, options.days * 86400, options.rule_hours * 3600)
    grafana = ROOT / "out" / "grafana"
    for dashboard in dashboards(grafana):
        builder.dashboard(dashboard, options.end, PAGE_WIDTH, scrape_interval(grafana))
    reads = builder.reads
    wanted = {families[name] for name in reads.raw if name in families}
    candidates = [s for metric in sorted(wanted, key=lambda m: m.name)
                  for s in metric_series(metric, options.scale, options.seed)]
    candidates += up_series({m.source for m in project.metrics.values()}, options.scale)
    spanned = [Spanned(s, max(MIN_SPAN, reads.span(s.name, dict(s.labels)))) for s in candidates]
    started = time.monotonic()
    samples = write_raw(spanned, options.end, step, data, work, options.jobs)
    raw_seconds = time.monotonic() - started
    order = levels(rules, reads.rules)
    write_rules(rules, order, reads.rules, options.end, data, work)
    return {"series": len(spanned), "samples": samples, "history_days": max(s.span for s in spanned) / 86400,
            "rules": len(reads.rules), "rule_levels": len(order), "raw_seconds": raw_seconds,
            "rule_seconds": time.monotonic() - started - raw_seconds, "scale": options.scale,
            "end": options.end, "step": step}


def _disk(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def table(summaries: list[Summary], volume: dict[str, float], loads: int, parallel: int, disk_mib: float) -> str:
    """The report: volume, one row per dashboard, the slowest query of each, the verdict."""
    lines = [
        f"volume: {volume['series']:,.0f} raw series, {volume['samples']:,.0f} samples written, up to "
        f"{volume['history_days']:.2f} days back at {format_seconds(volume['step'])} "
        f"(scale {volume['scale']:g}: {PODS_PER_SCALE * volume['scale']:.0f} pods, "
        f"{HOSTS_PER_SCALE * volume['scale']:.0f} hosts), {volume['rules']:.0f} recording rules in "
        f"{volume['rule_levels']:.0f} levels; {disk_mib:,.0f} MiB on disk; written in {volume['raw_seconds']:.0f} s "
        f"(raw) + {volume['rule_seconds']:.0f} s (rules)",
        f"{loads} loads per dashboard, {parallel} queries in flight, "
        f"now = {time.strftime('%Y-%m-%d %H:%M', time.gmtime(volume['end']))} UTC",
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
        if not stamp.exists():
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
            work.mkdir(parents=True, exist_ok=True)
            stamp.write_text(json.dumps(build_volume(options, data, work)))
        volume = json.loads(stamp.read_text())
        grafana = ROOT / "out" / "grafana"
        with prometheus(data, work) as url:
            summaries = [measure(Opening(d, url, volume["end"], PAGE_WIDTH, scrape_interval(grafana)),
                                 options.loads, options.parallel) for d in dashboards(grafana)]
        print(table(summaries, volume, options.loads, options.parallel, _disk(data)))
        return 1 if any(s.median >= PLAN_TARGET or s.errors for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
