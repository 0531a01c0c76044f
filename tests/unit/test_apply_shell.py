"""A --*-pull/--*-push command that hangs: a clear error after the limit, and nothing it started left running."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.apply import shell
from generator.apply.files import CommandError, CommandStore


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # killed, reparented, not yet reaped


def test_a_hung_pull_is_an_error_and_its_children_are_killed(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "COMMAND_TIMEOUT", 1.0)
    pid_file, ended = tmp_path / "pid", tmp_path / "ended"
    # a child that writes `ended` if it lives out its 30 s: killing only the shell would leave it holding the
    # output pipe, and the read would return when it ends, not at the limit
    store = CommandStore(pull=f"(sleep 30; echo > {ended}) & echo $! > {pid_file}; wait", push="true")

    with pytest.raises(CommandError, match=r"did not finish in 1 s: stopped, with every process it started"):
        store.read(("*.yml",))

    deadline = time.monotonic() + 5
    while not _gone(int(pid_file.read_text())):
        assert time.monotonic() < deadline, "the command's child outlived it"
        time.sleep(0.05)
    assert not ended.exists(), "the read waited for the command's child to end instead of killing it"

