"""promtool and amtool run over out/: config, rules, rule unit tests and routing expectations."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.core.duration import parse_seconds


@dataclass(frozen=True)
class Result:
    """One tool run."""

    name: str
    ok: bool
    output: str


def _run(name: str, command: list[str], cwd: Path) -> Result:
    if shutil.which(command[0]) is None:
        return Result(name, False, f"{command[0]} not found: install Debian's prometheus/prometheus-alertmanager")
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    return Result(name, proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def _route_tests(out: Path) -> Iterator[tuple[str, list[str]]]:
    spec = out / "alertmanager/tests/routes.yml"
    if not spec.exists():
        return
    for case in yaml.safe_load(spec.read_text())["tests"]:
        labels = [f"{k}={v}" for k, v in case["labels"].items()]
        yield (f"route: {case['name']}", ["amtool", "config", "routes", "test", "--config.file",
               "alertmanager/alertmanager.yml", f"--verify.receivers={case['receiver']}", *labels])


def _evaluations(test_file: Path) -> float:
    """Rule evaluations promtool makes for a test file: each test evaluates every rule from 0 to its last
    eval_time, one evaluation interval apart (a week at 4 minutes is 2,600 of them, seconds of work)."""
    document = yaml.safe_load(test_file.read_text())
    interval = parse_seconds(document.get("evaluation_interval", "1m"))
    return sum(max((parse_seconds(case["eval_time"]) for kind in ("alert_rule_test", "promql_expr_test")
                    for case in test.get(kind) or ()), default=0.0) for test in document["tests"]) / interval


def commands(out: Path) -> list[tuple[str, list[str]]]:
    """Every check to run on an out/ directory, as (name, argv) with paths relative to out/."""
    rules = sorted(str(p.relative_to(out)) for p in (out / "prometheus/rules").glob("*.yml"))
    # one promtool per test file, the costliest first, so that split over the cores they finish together
    tests = sorted((out / "prometheus/tests").glob("*.yml"), key=lambda p: (-_evaluations(p), p.name))
    return [
        ("promtool check config", ["promtool", "check", "config", "prometheus/prometheus.yml"]),
        ("promtool check rules", ["promtool", "check", "rules", *rules]),
        *((f"promtool test rules {p.name}", ["promtool", "test", "rules", str(p.relative_to(out))]) for p in tests),
        ("amtool check-config", ["amtool", "check-config", "alertmanager/alertmanager.yml"]),
        *_route_tests(out),
    ]


def run_all(out: Path, workers: int = 2) -> list[Result]:
    """Run every check, in parallel over the machine's cores, results in a stable order."""
    todo = commands(out)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: _run(item[0], item[1], out), todo))
