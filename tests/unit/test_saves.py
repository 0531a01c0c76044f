"""The watch wakes on a save at once (inotify), settles a save made of several steps, ignores bytecode, and looks
on a timer where there is no inotify."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.cli import saves
from generator.cli.saves import Saves
from generator.cli.watch import say_unfollowed


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Saves]:
    monkeypatch.setattr(saves, "FALLBACK", 60.0)  # a wait that returns True was woken by the kernel, not the timer
    with Saves(tmp_path) as waiting:
        if not waiting.from_kernel:
            pytest.skip("no inotify here")
        yield waiting


def _later(action: Callable[[], object]) -> None:
    threading.Timer(0.05, action).start()


def test_a_save_wakes_the_wait(watched: Saves, tmp_path: Path) -> None:
    module = tmp_path / "alerts.py"
    module.write_text("A = 1\n")
    assert watched.wait()  # the creation
    _later(lambda: module.write_text("A = 2\n"))
    assert watched.wait()


def test_a_save_in_a_new_folder_wakes_the_wait(watched: Saves, tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    assert watched.wait()  # and the folder is followed from now on
    _later(lambda: (tmp_path / "team" / "alerts.py").write_text("A = 1\n"))
    assert watched.wait()


def test_an_editors_save_in_two_steps_is_one_wake(watched: Saves, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Steps closer than SETTLE are one save; CI's loaded cores can pause the saving thread for more than the
    # shipped 2 ms between its two steps, so the test widens the window rather than racing the scheduler.
    monkeypatch.setattr(saves, "SETTLE", 0.5)
    module = tmp_path / "alerts.py"
    module.write_text("A = 1\n")
    assert watched.wait()

    def save() -> None:
        temporary = tmp_path / ".alerts.py.swp"
        temporary.write_text("A = 2\n")
        temporary.replace(module)

    _later(save)
    assert watched.wait()
    monkeypatch.setattr(saves, "FALLBACK", 0.2)
    assert not watched.wait()  # nothing left over from the same save


def test_bytecode_written_by_the_build_does_not_wake(watched: Saves, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    assert watched.wait()  # the folder's creation is a look (which finds no source changed)
    monkeypatch.setattr(saves, "FALLBACK", 0.2)
    (cache / "alerts.cpython-311.pyc").write_bytes(b"\0")
    assert not watched.wait()


def test_without_inotify_the_wait_is_a_timer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libc(*_: object, **__: object) -> None:
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    monkeypatch.setattr(saves, "POLL", 0.01)
    with Saves(tmp_path) as waiting:
        assert not waiting.from_kernel
        (tmp_path / "alerts.py").write_text("A = 1\n")
        assert not waiting.wait()


def test_a_folder_past_the_kernels_watch_limit_is_said_and_seen_by_the_timer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)

    class Limited:  # the C library of a machine whose fs.inotify.max_user_watches is reached at team/
        inotify_init1 = libc.inotify_init1

        @staticmethod
        def inotify_add_watch(fd: int, path: bytes, mask: int) -> int:
            return -1 if path.endswith(b"team") else int(libc.inotify_add_watch(fd, path, mask))

    monkeypatch.setattr(ctypes, "CDLL", lambda *_, **__: Limited)
    monkeypatch.setattr(saves, "FALLBACK", 0.2)
    (tmp_path / "team").mkdir()
    with Saves(tmp_path) as waiting:
        if not waiting.from_kernel:
            pytest.skip("no inotify here")
        assert waiting.unfollowed == {str(tmp_path / "team")}
        assert say_unfollowed(waiting, 0) == 1
        assert "does not follow 1 of the folders under" in capsys.readouterr().err
        assert say_unfollowed(waiting, 1) == 1 and capsys.readouterr().err == ""  # said once
        (tmp_path / "team" / "alerts.py").write_text("A = 1\n")
        assert not waiting.wait()  # no wake from the kernel: the next look of the timer sees the save
