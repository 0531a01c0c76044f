"""bench/nab/windows.py: each window and false positive of a detections file, and the loss per kind."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from generator.exporter.nab import nab_score

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = [(200, 239), (500, 539)]  # rows of a 1000-row file: probation is the first 150


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nab_windows", ROOT / "bench" / "nab" / "windows.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _stamps() -> list[str]:
    start = datetime(2014, 7, 1)
    return [(start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(1000)]


def _nab_dir(root: Path) -> Path:
    (root / "g").mkdir(parents=True)
    stamps = _stamps()
    (root / "g" / "a.csv").write_text("timestamp,value\n" + "".join(f"{s},{i % 7}\n" for i, s in enumerate(stamps)))
    windows = {"g/a.csv": [[f"{stamps[a]}.000000", f"{stamps[b]}.000000"] for a, b in WINDOWS]}
    (root / "combined_windows.json").write_text(json.dumps(windows))
    profile = {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}}
    (root / "profiles.json").write_text(json.dumps({"standard": profile}))
    return root


def test_each_window_and_false_positive_is_listed_with_its_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _nab_dir(tmp_path / "nab")
    rows = [160, 230, 400]  # a false positive, window 0 caught late, another false positive; window 1 missed
    stamps = _stamps()
    detections = tmp_path / "detections.json"
    detections.write_text(json.dumps({"files": [{"file": "g/a.csv", "flagged": [stamps[r] for r in rows]}]}))
    assert _bench().main([str(detections), "--data", str(data), "--target", "70"]) == 0
    out = capsys.readouterr().out
    lines = [line.split()[0] + " " + line.split()[1] for line in out.splitlines() if line.startswith("  ")]
    assert lines == ["false positive", "window 0", "false positive", "window 1"]
    assert "caught at  77%" in out and "MISSED" in out
    flags = np.zeros(1000, dtype=bool)
    flags[rows] = True
    expected = nab_score(flags, WINDOWS)
    overall = next(line for line in out.splitlines() if line.startswith("overall"))
    # count, raw loss, points for missed / late / false positives, then the score and the raw gap to 70
    cells = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", overall)]
    late = 1 - (expected.raw + 1 + 0.22)  # against a detection at the window's start
    assert cells[:2] == [1, 2.0] and cells[3:5] == [1, round(late, 2)] and cells[6:8] == [2, 0.22]
    assert cells[2] == pytest.approx(100 * 2 / 4, abs=0.05)  # perfect 2 - null -2: a point is 0.04 raw
    assert cells[9] == pytest.approx(expected.normalized, abs=0.005)
    assert cells[10] == pytest.approx((70 - expected.normalized) * 4 / 100, abs=0.001)


def test_a_file_that_is_not_a_detections_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"groups": {}}')
    with pytest.raises(SystemExit, match=r"bad.json: not a detections file"):
        _bench().main([str(bad), "--data", str(_nab_dir(tmp_path / "nab"))])
