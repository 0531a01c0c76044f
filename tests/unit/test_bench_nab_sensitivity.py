"""bench/nab/sensitivity.py: each detector parameter varied alone, per group, and whether the groups agree."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from generator.exporter.anomaly import DetectorParams
from generator.exporter.nab import NabScore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from nab.sensitivity import one_at_a_time, sensitivity_table  # noqa: E402

BASE = DetectorParams(residual_threshold=3.0)  # not the defaults: the table below stars residual 3
GRID = [dataclasses.replace(BASE, residual_threshold=r, pattern_threshold=p)
        for r in (2.0, 3.0, 5.0) for p in (1.2, 1.4)]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _bench() -> ModuleType:
    """bench/forecast_nab.py, which puts bench/ on sys.path for its nab package."""
    return _load("forecast_nab", ROOT / "bench" / "forecast_nab.py")


def test_each_field_is_varied_alone_over_the_values_the_grid_gives_it() -> None:
    rows = one_at_a_time(BASE, GRID)
    assert [(name, value) for name, value, _ in rows] == [
        ("residual_threshold", 2.0), ("residual_threshold", 3.0), ("residual_threshold", 5.0),
        ("pattern_threshold", 1.2), ("pattern_threshold", 1.4),
    ]  # fields with one value in the grid are left out
    for name, value, params in rows:
        assert params == dataclasses.replace(BASE, **{name: value})


def _score(i: int, params: DetectorParams) -> NabScore:
    """Files 0-1 (group a) do best with residual 2, file 2 (group b) with residual 5; both with pattern 1.4."""
    best = 2.0 if i < 2 else 5.0
    raw = 1.0 - abs(math.log(params.residual_threshold / best)) - abs(params.pattern_threshold - 1.4)
    return NabScore(raw, -2.0, 2.0, 2, 1, 0)


def test_a_parameter_the_groups_disagree_on_is_named_and_each_columns_best_is_marked() -> None:
    lines = sensitivity_table(BASE, GRID, {"a": [0, 1], "b": [2]}, _score)
    assert lines[1].split() == ["parameter", "value", "a", "b", "overall"]
    table = {(line.split()[0], line.split()[1].rstrip("*")): line.split()[2:] for line in lines[2:]
             if not line.startswith(" ")}
    assert table[("residual_threshold", "2")][0].endswith("^") and table[("residual_threshold", "5")][1].endswith("^")
    assert table[("residual_threshold", "2")][2].endswith("^")  # all three files: a's two outweigh b's one
    starred = [line.split()[:2] for line in lines[2:] if line.split()[1].endswith("*")]
    assert starred == [["residual_threshold", "3*"], ["pattern_threshold", "1.4*"]]  # the base set's values
    # a's score at residual 5 and pattern 1.4: raw (1 - log 2.5) twice over perfect 4 - null -4
    expected = 100 * (2 * (1 - math.log(2.5)) + 4) / 8
    assert float(table[("residual_threshold", "5")][0]) == pytest.approx(expected, abs=0.005)
    verdicts = [line.split()[1:] for line in lines if line.startswith(" ")]
    assert verdicts == [["DISAGREE", "on", "residual_threshold"], ["agree", "on", "pattern_threshold"]]


def _nab_dir(root: Path) -> Path:
    """Two groups of one file each: a daily rhythm with a labelled spike."""
    start, step = datetime(2014, 7, 1), timedelta(minutes=5)
    windows = {}
    for group, seed in (("ga", 1), ("gb", 2)):
        (root / group).mkdir(parents=True)
        k = np.arange(5 * 288)
        values = 50 + 10 * np.sin(2 * np.pi * k / 288) + np.random.default_rng(seed).normal(0, 1, k.size)
        values[4 * 288 : 4 * 288 + 6] += 60
        stamps = [(start + int(i) * step).strftime("%Y-%m-%d %H:%M:%S") for i in k]
        rows = "".join(f"{s},{v}\n" for s, v in zip(stamps, values, strict=True))
        (root / group / "f.csv").write_text("timestamp,value\n" + rows)
        windows[f"{group}/f.csv"] = [[f"{stamps[4 * 288 - 20]}.000000", f"{stamps[4 * 288 + 20]}.000000"]]
    (root / "combined_windows.json").write_text(json.dumps(windows))
    profiles = {name: {"CostMatrix": {"tpWeight": 1.0, "fnWeight": fn, "fpWeight": fp, "tnWeight": 1.0}}
                for name, fn, fp in (("standard", 1.0, 0.11), ("reward_low_FP_rate", 1.0, 0.22),
                                     ("reward_low_FN_rate", 2.0, 0.11))}
    (root / "profiles.json").write_text(json.dumps(profiles))
    return root


def test_the_bench_prints_the_table_around_its_in_sample_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _bench().main(["--data", str(_nab_dir(tmp_path / "nab")), "--sensitivity"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("NAB standard with one parameter varied") :].splitlines()
    assert table[1].split() == ["parameter", "value", "ga", "gb", "overall"]
    verdicts = [line.split()[-1] for line in table if line.startswith(" ") and " on " in line]
    assert verdicts == ["residual_threshold", "range_threshold", "pattern_threshold", "residual_gate",
                        "rearm_seconds", "min_gap_seconds", "shift_threshold"]
    gaps = [line.split() for line in table if line.startswith("min_gap_seconds")]
    assert [row[1] + row[2].rstrip("*") for row in gaps] == ["6h", "12h", "24h"]  # the grid's gaps, in hours
    assert sum(row[2].endswith("*") for row in gaps) == 1  # the in-sample choice's gap
