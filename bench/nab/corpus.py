"""Read a directory in NAB's layout: ``<group>/<name>.csv`` files, ``combined_windows.json``, ``profiles.json``.

Each CSV (``timestamp,value``) is put on a regular grid at its median step: missing slots are NaN gaps,
as Prometheus' query_range returns them, and a slot holding two rows keeps the first (so scores stay
causal). Detections on the grid map back to rows, and rows to the timestamps exactly as in the CSV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = next((p / "shared/data/nab" for p in _REPO.parents if (p / "shared/data/nab").is_dir()),
                    _REPO.parent / "shared/data/nab")
"""The nearest ``shared/data/nab`` above the repository."""


@dataclass(frozen=True)
class Series:
    """One NAB file: its rows, their regular grid and its labelled windows as inclusive row ranges."""

    name: str
    group: str
    stamps: tuple[str, ...]
    timestamps: FloatArray
    values: FloatArray
    step: float
    grid: FloatArray
    slot: IntArray
    windows: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Corpus:
    """The files of the chosen groups and NAB's scoring profiles (name -> tp/fp/fn weights)."""

    series: tuple[Series, ...]
    profiles: dict[str, dict[str, float]]

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups in the order their files were read."""
        return tuple(dict.fromkeys(s.group for s in self.series))


def load_corpus(data: Path, groups: list[str] | None = None) -> Corpus:
    """Every CSV of ``groups`` (default: every subdirectory holding CSVs) with its windows and the profiles."""
    windows = json.loads((data / "combined_windows.json").read_text())
    profiles = {
        name: {key: float(value) for key, value in profile["CostMatrix"].items()}
        for name, profile in json.loads((data / "profiles.json").read_text()).items()
    }
    chosen = groups or sorted(p.name for p in data.iterdir() if p.is_dir() and any(p.glob("*.csv")))
    series = []
    for group in chosen:
        paths = sorted((data / group).glob("*.csv"))
        if not paths:
            raise SystemExit(f"error: {data / group}: no CSV files")
        for path in paths:
            name = f"{group}/{path.name}"
            series.append(load_series(path, name, group, windows.get(name, [])))
    return Corpus(tuple(series), profiles)


def load_series(path: Path, name: str, group: str, windows: list[list[str]]) -> Series:
    """Read ``timestamp,value`` rows and place them on a regular grid at the median step."""
    stamps: list[str] = []
    values: list[float] = []
    with path.open() as fh:
        next(fh)
        for line in fh:
            stamp, value = line.strip().split(",")
            stamps.append(stamp)
            values.append(float(value))
    t = np.array([_seconds(s) for s in stamps])
    v = np.array(values)
    diffs = np.diff(t)
    step = float(np.median(diffs[diffs > 0]))
    slot = np.rint((t - t.min()) / step).astype(np.int64)
    grid = np.full(int(slot.max()) + 1, np.nan)
    first = np.unique(slot, return_index=True)[1]
    grid[slot[first]] = v[first]
    return Series(name, group, tuple(stamps), t, v, step, grid, slot, window_rows(t, windows))


def window_rows(timestamps: FloatArray, windows: list[list[str]]) -> tuple[tuple[int, int], ...]:
    """NAB window timestamps as inclusive row indices (exact match as NAB does, else the nearest inside)."""
    order = np.argsort(timestamps, kind="stable")
    ordered = timestamps[order]
    rows = []
    for start, end in windows:
        lo = int(order[min(int(np.searchsorted(ordered, _seconds(start), "left")), len(order) - 1)])
        hi = int(order[max(int(np.searchsorted(ordered, _seconds(end), "right")) - 1, 0)])
        rows.append((lo, hi))
    return tuple(rows)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()
