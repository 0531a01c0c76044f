"""The demo history (demo_history.py) imported into a Prometheus data directory as TSDB blocks, through promtool's
OpenMetrics backfill."""

from __future__ import annotations

import math
import subprocess
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from generator.live.demo_history import Series, series_for, timestamps
from generator.model.project import Project

BLOCK = 2 * 3600  # promtool cuts blocks at 2 h; one input file per block keeps the import linear


def _write_block_inputs(series: list[Series], times: list[int], directory: Path) -> list[Path]:
    by_block: dict[int, list[int]] = defaultdict(list)
    for t in times:
        by_block[t // BLOCK].append(t)
    paths = []
    for block, block_times in sorted(by_block.items()):
        lines: list[str] = []
        for name, labels, value in series:
            selector = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
            lines.append(f"# TYPE {name} unknown")
            lines += [f"{selector} {v:.12g} {t}" for t in block_times if not math.isnan(v := value(t))]
        path = directory / f"{block}.om"
        path.write_text(_grouped(lines) + "# EOF\n")
        paths.append(path)
    return paths


def _grouped(lines: list[str]) -> str:
    """OpenMetrics wants each family's samples together: merge repeated TYPE lines of one family."""
    families: dict[str, list[str]] = defaultdict(list)
    current = ""
    for line in lines:
        if line.startswith("# TYPE "):
            current = line
        else:
            families[current].append(line)
    return "".join(f"{header}\n" + "\n".join(body) + "\n" for header, body in families.items() if body)


def write_blocks(names: set[str], project: Project, now: int, data_dir: Path, workdir: Path) -> int:
    """Generate the demo series and import them into a Prometheus data directory; returns the sample count."""
    series = series_for(names, project, now)
    inputs = workdir / "openmetrics"
    inputs.mkdir(parents=True, exist_ok=True)
    paths = _write_block_inputs(series, timestamps(now), inputs)

    def run(path: Path) -> Any:
        return subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(path),
                               str(data_dir)], check=True, capture_output=True, timeout=120)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, paths))
    return sum(sum(1 for line in p.read_text().splitlines() if not line.startswith("#")) for p in paths)
