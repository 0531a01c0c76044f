"""The demo history (demo_history.py) imported into a Prometheus data directory as TSDB blocks, through promtool's
OpenMetrics backfill."""

from __future__ import annotations

import math
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.live.demo_history import Series, series_for, timestamps
from generator.model.project import Project

BLOCK = 2 * 3600  # promtool cuts blocks at 2 h; one input file per block keeps the import linear


def _block_inputs(series: list[Series], times: list[int], directory: Path) -> Iterator[tuple[Path, int]]:
    """Each block's OpenMetrics file as soon as it is written, with its sample count."""
    by_block: dict[int, list[int]] = defaultdict(list)
    for t in times:
        by_block[t // BLOCK].append(t)
    for block, block_times in sorted(by_block.items()):
        # OpenMetrics wants each family's samples together: series of one name are gathered under one TYPE line
        families: dict[str, list[str]] = defaultdict(list)
        for name, labels, value in series:
            selector = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
            families[name] += [f"{selector} {v:.12g} {t}" for t in block_times if not math.isnan(v := value(t))]
        path = directory / f"{block}.om"
        path.write_text("".join(f"# TYPE {name} unknown\n" + "\n".join(lines) + "\n"
                                for name, lines in families.items() if lines) + "# EOF\n")
        yield path, sum(map(len, families.values()))


def _imported(path: Path, data_dir: Path) -> None:
    """One block's file imported by promtool, then removed: the whole history's text (442 MB for the shipped
    definitions) never sits on disk at once."""
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(data_dir)],
                   check=True, capture_output=True, timeout=120)
    path.unlink()


def write_blocks(names: set[str], project: Project, now: int, data_dir: Path, workdir: Path) -> int:
    """Generate the demo series and import them into a Prometheus data directory; returns the sample count. promtool
    imports each block while the next ones are generated."""
    series = series_for(names, project, now)
    inputs = workdir / "openmetrics"
    inputs.mkdir(parents=True, exist_ok=True)
    samples = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        imports = []
        for path, count in _block_inputs(series, timestamps(now), inputs):
            imports.append(pool.submit(_imported, path, data_dir))
            samples += count
        for done in imports:
            done.result()  # promtool's failure, raised here
    return samples
