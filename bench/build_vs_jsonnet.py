"""obsgen build against jrsonnet and go-jsonnet on kube-prometheus' rules and dashboards, side by side.

The obsgen project is generated into a temporary folder by `obsgen import` of the anchor's manifests/
(never into definitions/), plus a small base module (Stack, AlertingConfig, Kubernetes); the 10x and 100x
projects import ten and a hundred renamed copies of the same manifests (bench/kube_prometheus/project.py).
Every measurement is a fresh process (bench/kube_prometheus/processes.py), interleaved: each round runs every
command once, RUNS rounds (BENCH_RUNS overrides; the 100x build BENCH_RUNS_100 times, default 1), all in this
one run on this machine: wall seconds (median, min), CPU seconds of the child (user + system, median) and its
peak resident memory (getrusage through wait4). Children run with bytecode caching on, as installed programs
do, and so with obsgen's caches in definitions/__pycache__.
Rows marked "replayed" build a project whose inputs are as the last build left them (generator/replay.py: out/
written from the record; every build has the warm-up's command line, whose options the program keeps, so a replay
does not load typer: cli/quick_build.py); rows marked "full" follow an edit of one alert's `for` to a value no
build has seen, as a user's edit: nothing is replayed and no cache in definitions/__pycache__ knows the documents
it changes. The "stage" column is the in-process work after imports that turns sources into output text: the
peers' evaluate call (a JSON string in memory); obsgen's compile (load, checks, render, checks of the files) and
serialise (the bytes of every file in memory), timed by `bench/build_vs_jsonnet.py --stages`, which also times
the imports and the write of out/ that follows (shown in the stage breakdown, part of the whole process). They are
timed in a process after the measured build, with the caches and the record it left: nothing in them is new to
the caches, so they show where a build's time goes, and serialise is near nothing.
BENCH_PROJECTS=DIR keeps the projects (and their out/) in DIR for the next run: making the 100x one takes minutes.
Last, `obsgen build --watch` runs on the 1x project and one alert is edited 2 x RUNS times: seconds from the
save until the edited rule file is in out/, and the rebuild's own as it reports them.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jsonnet_peer import ANCHOR
from kube_prometheus.processes import CHILD_ENV, ROOT, Sample, obsgen, run
from kube_prometheus.project import project

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
COPIES = 10
COPIES_100 = int(os.environ.get("BENCH_COPIES_100", "100"))
"""The largest project (0 leaves it out: making it takes minutes); built BENCH_RUNS_100 times (default 1)."""
RUNS_100 = int(os.environ.get("BENCH_RUNS_100", "1"))


@dataclass
class Row:
    """The samples of one measured command (and of its in-process stage, when it has one)."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    stage: list[float] = field(default_factory=list)

    def whole(self) -> float:
        """Median wall seconds of the whole process."""
        return statistics.median(s.wall for s in self.samples)

    def inner(self) -> float:
        """Median seconds of the in-process stage (evaluation, or obsgen's compile + serialise)."""
        return statistics.median(self.stage) if self.stage else float("nan")

    def line(self) -> str:
        """The table line."""
        wall = min(s.wall for s in self.samples)
        cpu = statistics.median(s.cpu for s in self.samples)
        stage = f"{self.inner():8.3f} {min(self.stage):7.3f}" if self.stage else f"{'':8} {'':7}"
        return (f"{self.name:<40} {len(self.samples):>4} {self.whole():8.3f} {wall:7.3f} {cpu:7.3f} {stage} "
                f"{self.peak():8.0f}")

    def peak(self) -> float:
        """Highest peak resident memory of the runs, MB."""
        return max(s.peak_mb for s in self.samples)


def peer(engine: str, entry: str) -> Callable[[Row], None]:
    """One run of jrsonnet or go-jsonnet evaluating kube-prometheus (bench/jsonnet_peer.py prints its eval seconds)."""
    def once(row: Row) -> None:
        sample = run([sys.executable, str(ROOT / "bench/jsonnet_peer.py"), engine, entry])
        row.samples.append(sample)
        row.stage.append(float(sample.stdout.split()[0]))
    return once


EDITED = re.compile(r'for_="(\d+)m"')
ORIGINALS: dict[Path, str] = {}
NEVER_SEEN = itertools.count(int(time.time()) % 10**6 + 1)
"""The edited `for`, in minutes: unique within a run and, by the clock, across runs (it repeats after 11 days);
under two years, well inside the 292 Prometheus reads."""


def _rule_module(definitions: Path) -> Path:
    return sorted(definitions.glob("*_prometheus_rule.py"))[0]


def edit(definitions: Path) -> None:
    """One alert's `for` set to a value no earlier build has seen (the module's text is restored by restored()).
    Set, not added to: a run killed before its restore leaves its edit in a kept project (BENCH_PROJECTS), and
    edits added one on another grew past Prometheus' longest duration."""
    module = _rule_module(definitions)
    original = ORIGINALS.setdefault(module, module.read_text())
    minutes = next(NEVER_SEEN)
    module.write_text(EDITED.sub(f'for_="{minutes}m"', original, 1))


@contextlib.contextmanager
def restored() -> Iterator[None]:
    """The modules edit() changed put back as they were when the block ends."""
    try:
        yield
    finally:
        for module, original in ORIGINALS.items():
            module.write_text(original)
        ORIGINALS.clear()


def build_command(definitions: Path, out: Path) -> list[str]:
    """The command line of every build measured, and of the warm-up before (whose options the program keeps)."""
    return obsgen("build", "--quiet", "--definitions", str(definitions), "--out", str(out))


def build(definitions: Path, out: Path, fresh: bool = True, edited: bool = False) -> Callable[[Row], None]:
    """One `obsgen build` whole process into a removed (or kept) out/; with `edited`, after an edit no build has
    seen (a full build), followed by its stages alone."""
    def once(row: Row) -> None:
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        if edited:
            edit(definitions)
        row.samples.append(run(build_command(definitions, out)))
        if not edited:  # a replay has no compile stage
            return
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        times = json.loads(run([sys.executable, __file__, "--stages", str(definitions), str(out)]).stdout)
        row.stage.append(sum(v for k, v in times.items() if k in COMPILE))
        STAGES.setdefault(row.name, []).append(times)
    return once


def command(*args: str) -> Callable[[Row], None]:
    """One run of an obsgen command."""
    return lambda row: row.samples.append(run(obsgen(*args)))


STAGES: dict[str, list[dict[str, float]]] = {}
COMPILE = ("compile", "serialise")


def stages(definitions: Path, out: Path) -> dict[str, float]:
    """Seconds of each stage of generator.build.build in this process: import, compile (load, checks, render,
    checks of the files), serialise, write."""
    gc.set_threshold(100_000, 50, 100)  # as `obsgen build` sets it (generator/cli/)
    start = time.perf_counter()
    from generator.build import compile_definitions
    from generator.core.written_files import Known
    from generator.package import reuse
    from generator.package.file_store import store
    from generator.package.tree import write_tree
    from generator.replay import recorded
    gc.freeze()  # as `obsgen build` freezes what the pipeline's imports made (cli/quick_build.py)
    times = {"import": time.perf_counter() - start}

    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        times[name] = now - started
        return now

    now = time.perf_counter()
    compiled = compile_definitions(definitions)
    assert compiled.project is not None and compiled.rendered is not None, compiled.report.sorted()
    now = timed("compile", now)
    record = recorded(definitions)  # as the build takes unchanged files' bytes from the last one's record
    known: dict[str, Known] = {}
    files = reuse.serialised(compiled.rendered, compiled.digests, f"{compiled.project.root.name}/", out, definitions,
                             record.files if record is not None else None, known=known)
    now = timed("serialise", now)
    write_tree(files, out, known=known, store=store(definitions, known))  # as the build writes (replay.build)
    timed("write", now)
    return times


def interleaved(commands: dict[str, tuple[str, Callable[[Row], None]]], runs: int) -> dict[str, Row]:
    """Every command once per round, rounds repeated: a slower moment of the machine hits all of them alike."""
    rows = {key: Row(name) for key, (name, _) in commands.items()}
    for _ in range(runs):
        for key, (_, once) in commands.items():
            once(rows[key])
    return rows


DONE = re.compile(r"^obsgen: \d+ written, .* in ([0-9.]+) s$")


def _rule_files(out: Path) -> dict[str, int]:
    """The inode of each Prometheus rule file under out/: a swapped-in rebuild gives the edited one a new inode."""
    found = {}
    for path in (out / "prometheus" / "rules").glob("*.yml"):
        with contextlib.suppress(FileNotFoundError):  # between two renames of a swap without renameat2
            found[path.name] = path.stat().st_ino
    return found


def watched_edits(definitions: Path, out: Path, edits: int) -> tuple[list[float], list[float]]:
    """`obsgen build --watch` on the project, then one-alert edits (one alert's `for`, alternately changed and
    restored): seconds from each save until the edited rule file is in out/ (the swap seen from outside, polled
    every millisecond), and the rebuild's own seconds as it reports them (load to swap and clean-up)."""
    module = _rule_module(definitions)
    original = module.read_text()
    proc = subprocess.Popen(obsgen("build", "--watch", "--quiet", "-d", str(definitions), "-o", str(out)),
                            env=CHILD_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = proc.stdout

    def finished() -> float:
        for line in lines:
            found = DONE.match(line.strip())
            if found:
                return float(found.group(1))
        raise SystemExit("obsgen build --watch stopped")

    swapped, rebuilt = [], []
    pauses = random.Random(0)
    try:
        finished()
        for edit in range(edits):
            text = original if edit % 2 else EDITED.sub(lambda m: f'for_="{int(m.group(1)) + 1}m"', original, 1)
            # an idle watcher, as between two saves; not a fixed pause, which a watcher looking at fixed intervals
            # would meet in step (300 ms is six 50 ms polls: every save came just before a look)
            time.sleep(pauses.uniform(0.3, 0.4))
            before = _rule_files(out)
            start = time.perf_counter()
            module.write_text(text)
            while _rule_files(out) == before:
                time.sleep(0.001)
            swapped.append(time.perf_counter() - start)
            rebuilt.append(finished())
    finally:
        proc.terminate()  # ends a watch as Ctrl-C does, even started from a script in the background (SIGINT ignored)
        proc.wait(timeout=30)
        module.write_text(original)
    return swapped, rebuilt


HEADER = (f"{'fresh processes, interleaved':<40} {'runs':>4} {'median s':>8} {'min s':>7} {'cpu s':>7} "
          f"{'stage s':>8} {'min s':>7} {'peak MB':>8}")


def main() -> None:
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as scratch:
        tmp = os.environ.get("BENCH_PROJECTS") or scratch
        one, ten = project(Path(tmp) / "x1", 1), project(Path(tmp) / "x10", COPIES)
        hundred = project(Path(tmp) / "x100", COPIES_100) if COPIES_100 else None
        same = "rules_dashboards" if one.dashboards else "rules"
        print(f"obsgen project, by `obsgen import` of {ANCHOR.name}/manifests/: {one.summary}")
        print(f"{COPIES}x project, renamed copies: {ten.summary}")
        if hundred:
            print(f"{COPIES_100}x project, renamed copies: {hundred.summary}")
        out, out10, out100 = Path(tmp) / "out", Path(tmp) / "out10", Path(tmp) / "out100"
        run(build_command(one.definitions, out))  # warm caches, write bytecode
        run(build_command(ten.definitions, out10))
        with restored():
            rows = interleaved({
                "jr": (f"jrsonnet {same}", peer("jrsonnet", same)),
                "go": (f"gojsonnet {same}", peer("gojsonnet", same)),
                "x1": ("obsgen build 1x (fresh out/, replayed)", build(one.definitions, out)),
                "x1-same": ("obsgen build 1x (out/ same, replayed)", build(one.definitions, out, fresh=False)),
                "x1-full": ("obsgen build 1x (fresh out/, full, after an edit)",
                            build(one.definitions, out, edited=True)),
                "x1-full-kept": ("obsgen build 1x (out/ kept, full, after an edit)",
                                 build(one.definitions, out, fresh=False, edited=True)),
                "x10": (f"obsgen build {COPIES}x (fresh out/, replayed)", build(ten.definitions, out10)),
                "x10-full": (f"obsgen build {COPIES}x (fresh out/, full, after an edit)",
                             build(ten.definitions, out10, edited=True)),
                "help": ("obsgen --help", command("--help")),
                "check": ("obsgen check 1x", command("check", str(out), "-d", str(one.definitions))),
            }, RUNS)
            if hundred:
                run(build_command(hundred.definitions, out100))  # bytecode, caches
                rows |= interleaved({
                    "x100": (f"obsgen build {COPIES_100}x (fresh out/, full, after an edit)",
                             build(hundred.definitions, out100, edited=True)),
                    "x100-kept": (f"obsgen build {COPIES_100}x (out/ kept, full, after an edit)",
                                  build(hundred.definitions, out100, fresh=False, edited=True)),
                }, RUNS_100)
        print(HEADER)
        for row in rows.values():
            print(row.line())
        swapped, rebuilt = watched_edits(one.definitions, out, 2 * RUNS)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    report(rows, same, swapped, rebuilt)


def report(rows: dict[str, Row], same: str, swapped: list[float], rebuilt: list[float]) -> None:
    """Stage breakdown, ratios obsgen/peer and the issue's goals."""
    print("\nobsgen stages (median s; stage = compile + serialise): " + "; ".join(
        f"{name.split(' (')[0]}: " + ", ".join(f"{k} {statistics.median(t[k] for t in runs):.3f}" for k in runs[0])
        for name, runs in STAGES.items()))
    x1, same_out, x10, jr, go = rows["x1"], rows["x1-same"], rows["x10"], rows["jr"], rows["go"]
    full, full10, kept = rows["x1-full"], rows["x10-full"], rows["x1-full-kept"]
    print(f"ratios obsgen/peer (same content, peers' {same}): whole vs jrsonnet {x1.whole() / jr.whole():.2f} "
          f"(out/ unchanged {same_out.whole() / jr.whole():.2f}; full build {full.whole() / jr.whole():.2f}), vs "
          f"go-jsonnet {x1.whole() / go.whole():.2f} (out/ unchanged {same_out.whole() / go.whole():.2f}; full build "
          f"{full.whole() / go.whole():.2f}); cpu vs jrsonnet "
          f"{statistics.median(s.cpu for s in x1.samples) / statistics.median(s.cpu for s in jr.samples):.2f}; "
          f"compile+serialise vs jrsonnet eval {full.inner() / jr.inner():.2f}, vs go-jsonnet eval "
          f"{full.inner() / go.inner():.2f}")
    print(f"obsgen build --watch, one-alert edit ({len(swapped)} edits): save to the new file in out/ median "
          f"{statistics.median(swapped):.3f} s (min {min(swapped):.3f}, max {max(swapped):.3f}); the rebuild as it "
          f"reports itself (load to swap and clean-up) median {statistics.median(rebuilt):.3f} s")
    goals = [
        (f"whole build at most 0.5x jrsonnet's whole process ({x1.whole() / jr.whole():.2f}x)",
         x1.whole() <= 0.5 * jr.whole()),
        (f"whole build at most 0.1x go-jsonnet's ({x1.whole() / go.whole():.2f}x)", x1.whole() <= 0.1 * go.whole()),
        (f"  the same, full build (after an edit): {full.whole() / jr.whole():.2f}x jrsonnet",
         full.whole() <= 0.5 * jr.whole()),
        (f"  the same, full build (after an edit): {full.whole() / go.whole():.2f}x go-jsonnet",
         full.whole() <= 0.1 * go.whole()),
        (f"  the same, full build (after an edit, out/ kept): {kept.whole() / jr.whole():.2f}x jrsonnet, "
         f"{kept.whole() / go.whole():.2f}x go-jsonnet", kept.whole() <= min(0.5 * jr.whole(), 0.1 * go.whole())),
        (f"{COPIES}x content in at most 6x the 1x time, full builds ({full10.whole() / full.whole():.2f}x; "
         f"replayed {x10.whole() / x1.whole():.2f}x, where the 1x is mostly the interpreter's start)",
         full10.whole() <= 6 * full.whole()),
        (f"--watch one-alert edit rebuilt and swapped in under 0.15 s (save to out/, median "
         f"{statistics.median(swapped):.3f} s)", statistics.median(swapped) < 0.15),
        (f"obsgen --help under 0.1 s ({rows['help'].whole():.3f} s)", rows["help"].whole() < 0.1),
    ]
    for label in ("x100", "x100-kept"):
        if label in rows:
            row = rows[label]
            goals.append((f"{COPIES_100}x content under 30 s and 2 GB peak, {row.name.split('(')[1][:-1]} "
                          f"({row.whole():.1f} s, {row.peak():.0f} MB; {row.whole() / x10.whole():.1f}x the "
                          f"{COPIES}x time)", row.whole() < 30 and row.peak() < 2048))
    for goal, met in goals:
        print(f"  {'met   ' if met else 'MISSED'} {goal}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stages"]:
        print(json.dumps(stages(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
