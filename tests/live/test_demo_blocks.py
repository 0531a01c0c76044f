"""The demo history imported by promtool: every sample in the blocks, and no block's input left behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.live import demo_blocks
from generator.model.project import Project
from tests.conftest import DEMO_NOW


def test_each_blocks_input_is_removed_once_imported_and_every_sample_is_counted(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped dashboards' 8 days are 442 MB of OpenMetrics text: written whole before the import, it filled a
    small /tmp; each block's file goes once promtool has imported it."""
    # the last 6 hours (4 blocks) of the history stand for its 97: the same steps, at a test's cost
    monkeypatch.setattr(demo_blocks, "timestamps", lambda now: list(range(now - 6 * 3600, now + 1, 15)))
    data = tmp_path / "data"
    samples = demo_blocks.write_blocks({"up"}, project, DEMO_NOW, data, tmp_path / "work")
    assert list((tmp_path / "work" / "openmetrics").iterdir()) == []
    listed = subprocess.run(["promtool", "tsdb", "list", str(data)], capture_output=True, text=True, check=True,
                            timeout=60).stdout.splitlines()
    assert listed[0].split()[7:9] == ["NUM", "SAMPLES"]  # of the fifth column: BLOCK ULID, MIN TIME, ... DURATION
    assert len(listed) == 1 + 4 and sum(int(line.split()[4]) for line in listed[1:]) == samples > 0
