"""obsgen build against jrsonnet and go-jsonnet on kube-prometheus' rules and dashboards, side by side.

The obsgen project is generated into a temporary folder by `obsgen import` of the anchor's manifests/
(never into definitions/), plus a small base module (Stack, AlertingConfig, Kubernetes); the 10x project
imports ten renamed copies of the same manifests. Every measurement is a fresh process, RUNS times
(BENCH_RUNS overrides), all in this one run on this machine: wall seconds (median, min), CPU seconds
of the child (user + system, median) and its peak resident memory (getrusage through wait4).
The "stage" column is the in-process work after imports that turns sources into output text: the
peers' evaluate call (a JSON string in memory); obsgen's compile stage, load + render + serialise (the
bytes of every file in memory), timed by `bench/build_vs_jsonnet.py --stages`, which also times the
imports and the write of out/ that follows (shown in the stage breakdown, part of the whole process).
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonnet_peer import ANCHOR

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
COPIES = 10
RULE_MANIFESTS = sorted((ANCHOR / "manifests").glob("*-prometheusRule.yaml"))
DASHBOARD_MANIFEST = ANCHOR / "manifests" / "grafana-dashboardDefinitions.yaml"
# Bytecode caching is what every installed Python program gets; this environment may switch it off.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

BASE_MODULE = '''"""What kube-prometheus sets besides rules and dashboards: stack, receivers, Kubernetes packaging."""

from generator.model import AlertingConfig, Kubernetes, Severity, Stack, WebhookChannel

STACK = Stack(name="kube-prometheus", docs_url="https://runbooks.prometheus-operator.dev/runbooks")
CHANNELS = [WebhookChannel(name="oncall", url="http://alert-receiver.monitoring.svc:8080/alerts")]
ALERTING = AlertingConfig(severities=(Severity(name="info", channels=(), cooldown="1h"),
                                      Severity(name="warning", channels=("oncall",), cooldown="5m"),
                                      Severity(name="critical", channels=("oncall",), cooldown="1m")))
KUBERNETES = Kubernetes(namespace="monitoring")
'''


@dataclass(frozen=True)
class Sample:
    """One fresh-process run."""

    wall: float
    cpu: float
    peak_mb: float
    stdout: str
    returncode: int = 0


def run(argv: list[str], cwd: Path = ROOT, check: bool = True) -> Sample:
    """Run a child to completion; wall time, its own CPU time and peak RSS (wait4, not all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=CHILD_ENV, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if check and proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
        return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode(),
                      proc.returncode)


def obsgen(*args: str) -> list[str]:
    """argv of the installed obsgen console script."""
    return [str(BIN / "obsgen"), *args]


# --- the equivalent obsgen project --------------------------------------------------------------

def _renamed(document: dict[str, Any], copy: int, recorded: list[str]) -> dict[str, Any]:
    """A PrometheusRule with every object name, group, alert and recorded series suffixed by the copy."""
    pattern = re.compile(r"(?<![\w:])(" + "|".join(map(re.escape, recorded)) + r")(?![\w:])")
    document["metadata"]["name"] += f"-copy{copy}"
    for group in document["spec"]["groups"]:
        group["name"] += f"-copy{copy}"
        for rule in group["rules"]:
            rule["expr"] = pattern.sub(lambda m: f"{m.group(1)}_copy{copy}", str(rule["expr"]))
            if "alert" in rule:
                rule["alert"] += f"Copy{copy}"
            else:
                rule["record"] += f"_copy{copy}"
    return document


def _renamed_dashboards(document: dict[str, Any], copy: int) -> dict[str, Any]:
    """The dashboards ConfigMapList with every ConfigMap, file, title and uid suffixed by the copy."""
    for item in document["items"]:
        item["metadata"]["name"] += f"-copy{copy}"
        renamed = {}
        for name, text in item["data"].items():
            dashboard = json.loads(text)
            dashboard["title"] += f" copy {copy}"
            dashboard["uid"] = f"{dashboard['uid'][:32]}-copy{copy}"
            renamed[f"copy{copy}-{name}"] = json.dumps(dashboard, indent=4)
        item["data"] = renamed
    return document


def _copies(sources: list[Path], directory: Path, copies: int) -> list[Path]:
    """The sources, or `copies` renamed copies of them written under directory (copy 0 keeps the names)."""
    if copies == 1:
        return sources
    documents = {path: yaml.safe_load(path.read_text()) for path in sources}
    recorded = sorted({rule["record"] for doc in documents.values() if doc["kind"] == "PrometheusRule"
                       for group in doc["spec"]["groups"] for rule in group["rules"] if "record" in rule},
                      key=len, reverse=True)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for copy in range(copies):
        for path, document in documents.items():
            target = directory / f"copy{copy}-{path.name}"
            renamed = json.loads(json.dumps(document))
            if copy:
                renamed = (_renamed(renamed, copy, recorded) if document["kind"] == "PrometheusRule"
                           else _renamed_dashboards(renamed, copy))
            target.write_text(yaml.safe_dump(renamed, sort_keys=False, width=1000))
            written.append(target)
    return written


@dataclass(frozen=True)
class Project:
    """An equivalent obsgen project: its definitions/, what it holds, whether the dashboards are in it."""

    definitions: Path
    summary: str
    dashboards: bool


def project(directory: Path, copies: int) -> Project:
    """definitions/ of the kube-prometheus equivalent, by `obsgen import` of the rules, then of the dashboards
    when this obsgen imports Grafana dashboards (a failed dashboard import leaves a rules-only project)."""
    definitions = directory / "definitions"
    definitions.mkdir(parents=True)
    (definitions / "__init__.py").write_text("")
    (definitions / "base.py").write_text(BASE_MODULE)
    imported = run(obsgen("import", "--definitions", str(definitions),
                          *map(str, _copies(RULE_MANIFESTS, directory / "src", copies))))
    summary = imported.stdout.strip().splitlines()[-1].removeprefix("obsgen import: ")
    said = run(obsgen("import", "--definitions", str(definitions),
                      *map(str, _copies([DASHBOARD_MANIFEST], directory / "src", copies))), check=False).stdout
    listed = run(obsgen("list", "--definitions", str(definitions))).stdout.splitlines()
    dashboards = sum(line.split()[0] == "Dashboard" for line in listed if line.strip())
    panels = re.search(r"\((\d+) panels\)", said)
    summary = (f"{summary.split(' recording rules')[0]} recording rules; {dashboards} dashboards"
               + (f", {panels.group(1)} panels" if panels else ""))
    return Project(definitions, summary, dashboards > 0)


# --- measurements -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """Medians and minima of one measured command."""

    name: str
    samples: list[Sample]
    stage: list[float]

    def whole(self) -> float:
        """Median wall seconds of the whole process."""
        return statistics.median(s.wall for s in self.samples)

    def inner(self) -> float:
        """Median seconds of the in-process stage (evaluation, or obsgen's load..write)."""
        return statistics.median(self.stage) if self.stage else float("nan")

    def line(self) -> str:
        """The table line."""
        wall = min(s.wall for s in self.samples)
        cpu = statistics.median(s.cpu for s in self.samples)
        stage = f"{self.inner():8.3f} {min(self.stage):7.3f}" if self.stage else f"{'':8} {'':7}"
        return f"{self.name:<44} {self.whole():8.3f} {wall:7.3f} {cpu:7.3f} {stage} {self.peak():8.0f}"

    def peak(self) -> float:
        """Highest peak resident memory of the runs, MB."""
        return max(s.peak_mb for s in self.samples)


def peer(engine: str, entry: str) -> Row:
    """jrsonnet or go-jsonnet evaluating kube-prometheus (bench/jsonnet_peer.py prints its eval seconds)."""
    samples = [run([sys.executable, str(ROOT / "bench/jsonnet_peer.py"), engine, entry]) for _ in range(RUNS)]
    return Row(f"{engine} {entry}", samples, [float(s.stdout.split()[0]) for s in samples])


def build(name: str, definitions: Path, out: Path, fresh: bool = True) -> Row:
    """`obsgen build` whole process, then the stages alone, each run into a removed (or kept) out/."""
    def once(argv: list[str]) -> Sample:
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        return run(argv)

    samples = [once(obsgen("build", "--quiet", "--definitions", str(definitions), "--out", str(out)))
               for _ in range(RUNS)]
    staged = [json.loads(once([sys.executable, __file__, "--stages", str(definitions), str(out)]).stdout)
              for _ in range(RUNS)]
    row = Row(name, samples, [sum(v for k, v in stages.items() if k in COMPILE) for stages in staged])
    STAGES[name] = {key: statistics.median(s[key] for s in staged) for key in staged[0]}
    return row


STAGES: dict[str, dict[str, float]] = {}
COMPILE = ("load", "render", "serialise")


def stages(definitions: Path, out: Path) -> dict[str, float]:
    """Seconds of each stage of generator.build.build in this process: import, load, render, serialise, write."""
    gc.set_threshold(100_000, 50, 100)  # as `obsgen build` sets it (generator/cli/)
    start = time.perf_counter()
    from generator.build import load
    from generator.package.emit import serialise, write_tree
    from generator.targets import render_all
    times = {"import": time.perf_counter() - start}

    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        times[name] = now - started
        return now

    now = time.perf_counter()
    project = load(definitions)
    now = timed("load", now)
    documents = sorted(render_all(project).items())
    now = timed("render", now)
    files = {path: serialise(path, doc, f"{project.root.name}/") for path, doc in documents}
    now = timed("serialise", now)
    write_tree(files, out)
    timed("write", now)
    return times


def main() -> None:
    header = f"{'fresh process, ' + str(RUNS) + ' runs':<44} {'median s':>8} {'min s':>7} {'cpu s':>7} " \
             f"{'stage s':>8} {'min s':>7} {'peak MB':>8}"
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        one, ten = project(Path(tmp) / "x1", 1), project(Path(tmp) / "x10", COPIES)
        same = "rules_dashboards" if one.dashboards else "rules"
        print(f"obsgen project, by `obsgen import` of {ANCHOR.name}/manifests/: {one.summary}")
        print(f"{COPIES}x project, ten renamed copies: {ten.summary}")
        if not one.dashboards:
            print("dashboards: this obsgen does not import them, so the peers' same content is their rules alone "
                  "(the prometheusRules field; rules_dashboards shown for reference)")
        out, out10 = Path(tmp) / "out", Path(tmp) / "out10"
        run(obsgen("build", "-q", "-d", str(one.definitions), "-o", str(out)))  # warm caches, write bytecode
        run(obsgen("build", "-q", "-d", str(ten.definitions), "-o", str(out10)))
        print(header)
        rows = {"jr": peer("jrsonnet", same), "go": peer("gojsonnet", same)}
        if not one.dashboards:
            rows |= {"jr-all": peer("jrsonnet", "rules_dashboards"), "go-all": peer("gojsonnet", "rules_dashboards")}
        rows |= {
            "x1": build("obsgen build 1x (fresh out/)", one.definitions, out),
            "x1-same": build("obsgen build 1x (out/ unchanged)", one.definitions, out, fresh=False),
            "x10": build(f"obsgen build {COPIES}x (fresh out/)", ten.definitions, out10),
            "help": Row("obsgen --help", [run(obsgen("--help")) for _ in range(RUNS)], []),
            "check": Row("obsgen check 1x", [run(obsgen("check", str(out), "-d", str(one.definitions)))
                                              for _ in range(RUNS)], []),
        }
        for row in rows.values():
            print(row.line())
    report(rows, same)


def report(rows: dict[str, Row], same: str) -> None:
    """Stage breakdown, ratios obsgen/peer and the issue's goals."""
    print("\nobsgen stages (median s; compile = load + render + serialise): " + "; ".join(
        f"{name.split(' (')[0]}: " + ", ".join(f"{k} {v:.3f}" for k, v in times.items())
        for name, times in STAGES.items() if "unchanged" not in name))
    x1, x10, jr, go = rows["x1"], rows["x10"], rows["jr"], rows["go"]
    print(f"ratios obsgen/peer (same content, peers' {same}): whole vs jrsonnet {x1.whole() / jr.whole():.2f}, "
          f"vs go-jsonnet {x1.whole() / go.whole():.2f}; compile vs jrsonnet eval {x1.inner() / jr.inner():.2f}, "
          f"vs go-jsonnet eval {x1.inner() / go.inner():.2f}")
    if "jr-all" in rows:
        print(f"ratios obsgen/peer (obsgen without dashboards vs peers' rules_dashboards): whole vs jrsonnet "
              f"{x1.whole() / rows['jr-all'].whole():.2f}, vs go-jsonnet {x1.whole() / rows['go-all'].whole():.2f}")
    peak10 = x10.peak()
    goals = [
        ("whole build faster than jrsonnet's whole process", x1.whole() < jr.whole()),
        ("whole build at least 5x faster than go-jsonnet's", x1.whole() * 5 <= go.whole()),
        ("compile stage under jrsonnet's evaluation", x1.inner() < jr.inner()),
        (f"{COPIES}x project within 11x of 1x ({x10.whole() / x1.whole():.2f}x)", x10.whole() <= 11 * x1.whole()),
        (f"{COPIES}x project under 500 MB peak ({peak10:.0f} MB)", peak10 < 500),
        (f"obsgen --help under 0.3 s ({rows['help'].whole():.3f} s)", rows["help"].whole() < 0.3),
    ]
    for goal, met in goals:
        print(f"  {'met   ' if met else 'MISSED'} {goal}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stages"]:
        print(json.dumps(stages(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
