"""promtool and amtool run over out/: config, rules, rule unit tests and routing expectations.

The rule checks, the rule unit tests and the routing tests read nothing but one part of out/ (prometheus/ or
alertmanager/); with a cache, a run that passed is not repeated while every file of that part and the tool's
binary are the same (a dashboard edit does not rerun a week of rule evaluations). Failures always run again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from generator.core.disk_cache import DiskCache
from generator.core.duration import parse_seconds
from generator.core.untrusted import FileError, read_yaml_document


@dataclass(frozen=True)
class Result:
    """One tool run."""

    name: str
    ok: bool
    output: str
    cached: bool = False
    """Passed before on the same files with the same tool, not run again."""


@dataclass(frozen=True)
class Command:
    """One tool run over out/: its name, argv (paths relative to out/), and the part of out/ it reads when it
    reads nothing else (None: not cached)."""

    name: str
    argv: list[str]
    reads: str | None = None
    refused: str = ""
    """Why the file the command is made from cannot be read (the command fails with it, unrun)."""


GO_TOOL_GC_PERCENT = "400"
"""GOGC for promtool and amtool runs: a rule test allocates a fresh result per rule per evaluation step, and at
Go's default (100) collecting its small heap took about a sixth of the shipped tests' CPU; 400 trades tens of MB
for it (a week-long file: 120 -> 260 MB). One far larger file (eight days over every rule, 150 -> 380 MB) took
more CPU at 400: such a project sets GOGC itself."""


def tool_environment() -> dict[str, str]:
    """The environment promtool and amtool run in: this process's, with GO_TOOL_GC_PERCENT unless GOGC is set."""
    return {"GOGC": GO_TOOL_GC_PERCENT, **os.environ}


TIMEOUT_S = 300.0
"""Longest one promtool or amtool run may take; a run still going then is stopped and fails (the others go on).
A rule test's time grows with the span its examples evaluate: the week-long ones take minutes of CPU each."""


def _said(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _run(command: Command, out: Path) -> Result:
    if command.refused:
        return Result(command.name, False, command.refused)
    if shutil.which(command.argv[0]) is None:
        return Result(command.name, False,
                      f"{command.argv[0]} not found: install Debian's prometheus/prometheus-alertmanager")
    try:
        proc = subprocess.run(command.argv, cwd=out, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env=tool_environment())
    except subprocess.TimeoutExpired as stopped:  # killed by run(); what it printed so far goes with the failure
        said = (_said(stopped.stdout) + _said(stopped.stderr)).strip()
        return Result(command.name, False, f"`{' '.join(command.argv)}` (in {out}) did not finish in {TIMEOUT_S:g} s "
                      "and was stopped: on a busy machine run it again alone"
                      + (f"; it had printed:\n{said}" if said else ""))
    return Result(command.name, proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def _tree_digest(root: Path) -> str | None:
    """Every file under root, by relative path and bytes; None when a link could lead a tool elsewhere."""
    digest = hashlib.sha256()
    entries = sorted(root.rglob("*"))
    if any(path.is_symlink() for path in entries):
        return None
    for path in (path for path in entries if path.is_file()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _binary(name: str) -> list[str | int] | None:
    """The tool's executable as found on PATH, by resolved path, size and modification time."""
    found = shutil.which(name)
    if found is None:
        return None
    resolved = os.path.realpath(found)
    state = os.stat(resolved)
    return [resolved, state.st_size, state.st_mtime_ns]


def _route_tests(out: Path) -> Iterator[Command]:
    spec = out / "alertmanager/tests/routes.yml"
    if not spec.exists():
        return
    try:  # out/ as GitOps ships it, maybe edited since the build: bounded, no key written twice
        document = read_yaml_document(spec)
        cases = document.get("tests") if isinstance(document, dict) else None
        if not isinstance(cases, list) or not all(isinstance(case, dict) and isinstance(case.get("labels"), dict)
                                                  and {"name", "receiver"} <= case.keys() for case in cases):
            raise FileError(spec, "not routing tests: a mapping whose `tests` each have a name, labels and receiver")
    except FileError as error:
        yield Command("route tests", ["amtool"], refused=str(error))
        return
    for case in cases:
        labels = [f"{k}={v}" for k, v in case["labels"].items()]
        yield Command(f"route: {case['name']}", ["amtool", "config", "routes", "test", "--config.file",
                      "alertmanager/alertmanager.yml", f"--verify.receivers={case['receiver']}", *labels],
                      "alertmanager")


@dataclass(frozen=True)
class _RuleTest:
    """A promtool unit-test file: its cost in rule evaluations, and whether every rule file it loads lies in
    the same part of out/."""

    path: Path
    evaluations: float
    self_contained: bool
    refused: str = ""
    """Why the file cannot be read (core.untrusted's bounds, or not the shape of a test file)."""


def _rule_test(test_file: Path, prometheus: Path) -> _RuleTest:
    """Each test evaluates every rule from 0 to its last eval_time, one evaluation interval apart (a week at 4
    minutes is 2,600 of them, seconds of work)."""
    try:  # out/ as GitOps ships it: bounded, no key written twice (promtool refuses one too, without the line)
        document = read_yaml_document(test_file)
        interval = parse_seconds(document.get("evaluation_interval", "1m"))
        evaluations = sum(max((parse_seconds(case["eval_time"]) for kind in ("alert_rule_test", "promql_expr_test")
                               for case in test.get(kind) or ()), default=0.0) for test in document["tests"]) / interval
        inside = all(Path(os.path.realpath(test_file.parent / rule_file)).is_relative_to(prometheus.resolve())
                     for rule_file in document.get("rule_files") or ())
    except FileError as error:
        return _RuleTest(test_file, 0.0, False, str(error))
    except (AttributeError, KeyError, TypeError, ValueError, ZeroDivisionError):  # promtool says what is wrong
        return _RuleTest(test_file, 0.0, False)
    return _RuleTest(test_file, evaluations, inside)


RULE_TESTS = "promtool test rules "
"""The start of a rule test file's command name (`obsgen check` traces its failed tests to the alert examples)."""


def commands(out: Path) -> list[Command]:
    """Every check to run on an out/ directory (`promtool check config` and `amtool check-config` may read
    files elsewhere, TLS and template files: never cached)."""
    rules = sorted(str(p.relative_to(out)) for p in (out / "prometheus/rules").glob("*.yml"))
    # one promtool per test file, the costliest first, so that split over the cores they finish together
    tests = sorted((_rule_test(p, out / "prometheus") for p in (out / "prometheus/tests").glob("*.yml")),
                   key=lambda test: (-test.evaluations, test.path.name))
    return [
        # --syntax-only: the files a scrape job names (a CA, a password, a token) are in Prometheus' container, not
        # on this machine; the rule files it would also read are checked next
        Command("promtool check config", ["promtool", "check", "config", "--syntax-only", "prometheus/prometheus.yml"]),
        Command("promtool check rules", ["promtool", "check", "rules", *rules], "prometheus"),
        *(Command(f"{RULE_TESTS}{test.path.name}",
                  ["promtool", "test", "rules", str(test.path.relative_to(out))],
                  "prometheus" if test.self_contained else None, test.refused) for test in tests),
        Command("amtool check-config", ["amtool", "check-config", "alertmanager/alertmanager.yml"]),
        *_route_tests(out),
    ]


def run_all(out: Path, workers: int = 2, passed: DiskCache | None = None, reuse: bool = True,
            select: Callable[[Command], bool] = lambda command: True) -> list[Result]:
    """Run every check (those `select` keeps), in parallel over the machine's cores, results in a stable order.
    With `passed`, the runs that pass are kept in it, and (with `reuse`) a run that passed on the same files with
    the same tool is taken from it."""
    todo = [command for command in commands(out) if select(command)]
    keys: dict[int, str] = {}  # by position in todo: two routing cases may share a name
    if passed is not None:  # each part of out/ read and each tool looked up once, not once per command
        trees = {part: _tree_digest(out / part) for part in {command.reads for command in todo} if part}
        tools = {name: _binary(name) for name in {command.argv[0] for command in todo}}
        keys = {index: hashlib.sha256(orjson.dumps([command.argv, tools[command.argv[0]], tree])).hexdigest()
                for index, command in enumerate(todo) if command.reads and (tree := trees[command.reads]) is not None}

    def result(index: int, command: Command) -> Result:
        key = keys.get(index)
        if key is None or passed is None:
            return _run(command, out)
        if reuse and (output := passed.get(key)) is not None:
            return Result(command.name, True, output, cached=True)
        found = _run(command, out)
        if found.ok:
            passed.put(key, found.output)
        return found

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(result, range(len(todo)), todo))
