"""The obsgen program's process: a one-shot build runs with what the pipeline's imports made frozen (no collection
walks it), and the program leaves without the interpreter's teardown of what the command built (cli/entry.py,
leave()): the exit handlers still run and the output is all there, with the command's exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.speed.project import node_exporter_project

KEPT = '''
import atexit, json, os
_MARKS = os.environ["OBSGEN_TEST_MARKS"]


def _mark(text):
    with open(_MARKS, "a") as marks:
        marks.write(text + "\\n")


class _Kept:
    """Lives until the process ends, held by a module the interpreter clears when it tears itself down (the
    definitions' own may be frozen in a cycle with their functions): its __del__ runs then, and only then."""

    def __del__(self, _open=os.open, _write=os.write, _marks=_MARKS):  # (the module's names may be gone by then)
        _write(_open(_marks, os.O_WRONLY | os.O_APPEND), b"torn down\\n")


json.obsgen_test_kept = _Kept()
atexit.register(_mark, "exit handler ran")
'''


FROZEN = '''
import gc, os

with open(os.environ["OBSGEN_TEST_MARKS"], "a") as marks:
    marks.write(f"frozen {gc.get_freeze_count()}\\n")
'''
"""A definitions module saying how many objects were frozen when the build ran it."""


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    found = node_exporter_project(tmp_path, kubernetes=False)
    (found / "kept.py").write_text(KEPT)
    return found


def _program(definitions: Path, *arguments: str, bytecode: bool = False) -> tuple[subprocess.CompletedProcess[str],
                                                                                 list[str]]:
    """`python -m generator` (what the console script runs) in a fresh process: what it did, and the marks left.
    With bytecode written, the options typer parsed are kept, and the same command line then skips typer."""
    marks = definitions.parent / "marks.txt"
    marks.unlink(missing_ok=True)
    environment = {key: value for key, value in os.environ.items()
                   if key != "PYTHONDONTWRITEBYTECODE" or not bytecode} | {"OBSGEN_TEST_MARKS": str(marks)}
    done = subprocess.run([sys.executable, "-m", "generator", *arguments], capture_output=True, text=True,
                          cwd=definitions.parent, env=environment)
    return done, marks.read_text().splitlines() if marks.exists() else []


@pytest.mark.parametrize("bytecode", [True, False], ids=["record kept (quick path)", "no record (typer)"])
def test_a_build_leaves_without_tearing_down_what_it_built(definitions: Path, bytecode: bool) -> None:
    arguments = ("build", "-d", str(definitions), "-o", str(definitions.parent / "out"), "--format", "json")
    if bytecode:
        _program(definitions, *arguments, bytecode=True)  # typer parses the options; they are kept for the next
        with (definitions / "kept.py").open("a") as module:  # and a changed input makes that one a full build
            module.write("# edited\n")
    done, marks = _program(definitions, *arguments, bytecode=bytecode)
    assert done.returncode == 0, done.stderr
    assert "MP014" in {problem["code"] for problem in json.loads(done.stdout)}  # flushed whole into the pipe
    assert " written, " in done.stderr
    assert marks == ["exit handler ran"]  # and no "torn down": json was never cleared


@pytest.mark.parametrize("bytecode", [True, False], ids=["record kept (quick path)", "no record (typer)"])
def test_a_build_runs_with_what_its_imports_made_frozen(definitions: Path, bytecode: bool) -> None:
    (definitions / "frozen.py").write_text(FROZEN)
    arguments = ("build", "-d", str(definitions), "-o", str(definitions.parent / "out"))
    if bytecode:
        _program(definitions, *arguments, bytecode=True)
        with (definitions / "frozen.py").open("a") as module:
            module.write("# edited\n")
    done, marks = _program(definitions, *arguments, bytecode=bytecode)
    assert done.returncode == 0, done.stderr
    frozen = [int(mark.split()[1]) for mark in marks if mark.startswith("frozen ")]
    assert len(frozen) == 1 and frozen[0] > 10_000  # the models, checks and targets (58,000 for kube-prometheus)


def test_a_failing_build_leaves_with_its_status_and_says_why(definitions: Path) -> None:
    (definitions / "broken.py").write_text("from generator.model import Stack\nOTHER = Stack(name='two')\n")
    done, marks = _program(definitions, "build", "-d", str(definitions), "-o", str(definitions.parent / "out"))
    assert done.returncode == 1
    assert "broken.py:2" in done.stderr
    assert marks == ["exit handler ran"]


def test_a_program_with_another_thread_alive_waits_for_it(tmp_path: Path) -> None:
    code = ("import sys, threading, time\nfrom generator.cli import entry\n"
            "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True))).start()\n"
            "entry.leave(SystemExit(3))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (3, "thread done\n")


def test_a_quick_build_imports_its_own_modules_under_the_raised_collection_threshold(definitions: Path) -> None:
    code = ("import gc, sys\n"
            "class Seen:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'generator.replay':\n"
            "            print('THRESHOLD', gc.get_threshold()[0])\n"
            "sys.meta_path.insert(0, Seen())\n"
            "from generator.cli.entry import main\nmain()\n")
    arguments = ["build", "-d", str(definitions), "-o", str(definitions.parent / "out")]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["OBSGEN_TEST_MARKS"] = str(definitions.parent / "marks.txt")
    for _ in range(2):  # typer parses the options, then the same command line takes the quick path
        with (definitions / "kept.py").open("a") as module:  # (a full build each time)
            module.write("# edited\n")
        done = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True,
                              cwd=definitions.parent, env=environment)
        assert done.returncode == 0, done.stderr
    assert [line for line in done.stdout.splitlines() if line.startswith("THRESHOLD")] == ["THRESHOLD 100000"]
