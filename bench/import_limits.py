"""`obsgen import` on hostile input: time, peak memory and outcome of each, one process per input.

Usage: ``python bench/import_limits.py``. Inputs: a rule whose annotation is a 4 MiB string (must import,
goal < 2 s), a YAML alias bomb (billion laughs), 100,000 nested YAML flow sequences and JSON arrays, and a
1 MiB string for comparison (linear time: the 4 MiB import should take about four times as long, not 16).
Times are of the import itself, in a process where obsgen is already imported; peaks are the whole process's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.importer.conftest import base_definitions  # noqa: E402
from tests.importer.test_bounded_import import ALIAS_BOMB, rule_file  # noqa: E402

GOAL_SECONDS = 2.0


CHILD = """
import sys, time
from pathlib import Path
from generator.core.errors import DefinitionError
from generator.importer.write import import_files
started = time.perf_counter()
try:
    import_files([Path(sys.argv[1])], Path("definitions"), force=True)
    outcome = "imported"
except DefinitionError as error:
    outcome = f"error: {error.location}: {error.message}"
print(f"{time.perf_counter() - started:.3f} {outcome}")
"""


def run(source: Path, workdir: Path) -> tuple[float, float, str]:
    """Seconds import_files took (obsgen already imported), peak RSS (MiB) and outcome, in a process of its own."""
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(source)], cwd=workdir, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout is not None
    output = process.stdout.read().strip().splitlines()[-1]
    _, _, usage = os.wait4(process.pid, 0)
    seconds, outcome = output.split(" ", 1)
    return float(seconds), usage.ru_maxrss / 1024, outcome


def main() -> int:
    """Import each input into a fresh definitions/ and print what it cost."""
    with tempfile.TemporaryDirectory(prefix="obsgen-import-limits-") as tmp:
        workdir = Path(tmp)
        inputs = {
            "tiny rule file": ("tiny.yaml", yaml.safe_dump(rule_file("x"))),
            "1 MiB string": ("one.yaml", yaml.safe_dump(rule_file("x" * 2**20), width=2**30)),
            "4 MiB string": ("four.yaml", yaml.safe_dump(rule_file("x" * 4 * 2**20), width=2**30)),
            "alias bomb": ("bomb.yaml", ALIAS_BOMB),
            "100,000-deep YAML": ("deep.yaml", "[" * 100_000 + "]" * 100_000),
            "100,000-deep JSON": ("deep.json", "[" * 100_000 + "]" * 100_000),
        }
        timings = {}
        for what, (name, content) in inputs.items():
            base_definitions(workdir)
            (workdir / name).write_text(content)
            elapsed, peak, outcome = run(workdir / name, workdir)
            timings[what] = elapsed
            print(f"{what:18} {elapsed:5.2f} s  peak {peak:5.0f} MiB  {outcome[:150]}")
    ratio = timings["4 MiB string"] / timings["1 MiB string"]
    print(f"4 MiB / 1 MiB time: {ratio:.1f}x (quadratic would be 16x); 4 MiB goal < {GOAL_SECONDS:.0f} s: "
          f"{'met' if timings['4 MiB string'] < GOAL_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
