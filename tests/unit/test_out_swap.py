"""Replacing out/ under kill -9 and concurrent builds: out/ is always exactly the old tree or the new one."""

from __future__ import annotations

import errno
import multiprocessing
import os
import random
import signal
import time
from multiprocessing.queues import Queue
from pathlib import Path

import pytest

from generator.package import tree as out_tree
from generator.package.tree import write_tree

Tree = dict[str, bytes]
FORK = multiprocessing.get_context("fork")


def tree(tag: str, files: int = 300) -> Tree:
    """A tree of `files` files under a few directories, each naming its tree; some paths exist in one tree only."""
    found = {f"d{index % 7}/f{index}.yml": f"{tag} {index}\n".encode() * 20 for index in range(files)}
    found[f"only-{tag}/marker.yml"] = tag.encode()
    return found


def read_tree(out: Path) -> Tree:
    return {str(path.relative_to(out)): path.read_bytes() for path in out.rglob("*") if path.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.suffix != ".lock")


def _kill_at(step: str, without_exchange: bool, files: Tree, out: Path) -> None:
    if without_exchange:
        def unsupported(a: Path, b: Path) -> None:
            raise OSError(errno.ENOSYS, "renameat2 is not available")
        out_tree.exchange = unsupported

    def checkpoint(reached: str) -> None:
        if reached == step:
            os.kill(os.getpid(), signal.SIGKILL)
    write_tree(files, out, checkpoint)


@pytest.mark.parametrize("without_exchange", [False, True], ids=["renameat2", "two renames"])
@pytest.mark.parametrize("step", ["staged", "moved aside", "swapped", "done"])
def test_a_kill_at_each_step_leaves_the_old_or_the_new_tree(tmp_path: Path, step: str, without_exchange: bool) -> None:
    if step == "moved aside" and not without_exchange:
        pytest.skip("renameat2 swaps in one step")
    out, old, new = tmp_path / "out", tree("old"), tree("new")
    write_tree(old, out)

    child = FORK.Process(target=_kill_at, args=(step, without_exchange, new, out))
    child.start()
    child.join()
    # without renameat2 there is a gap: the old tree waits aside for the next build to put it back
    seen = read_tree(out if out.exists() else tmp_path / ".out.previous")
    write_tree(tree("next"), out)

    assert child.exitcode == -signal.SIGKILL
    assert seen == (old if step in ("staged", "moved aside") else new)
    assert read_tree(out) == tree("next") and leftovers(out) == []


def _write_forever(files: Tree, out: Path) -> None:
    while True:
        write_tree(files, out)


def test_kills_at_random_moments_always_leave_a_whole_tree(tmp_path: Path) -> None:
    out, trees = tmp_path / "out", [tree("a", 1000), tree("b", 1000)]
    write_tree(trees[0], out)
    rng = random.Random(14)
    whole = 0
    for trial in range(20):
        child = FORK.Process(target=_write_forever, args=(trees[trial % 2], out))
        child.start()
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
        whole += read_tree(out) in trees

    assert whole == 20


def _build(files: Tree, out: Path, reports: Queue[bool]) -> None:
    def checkpoint(step: str) -> None:
        if step == "done":  # still holding the lock: what this build reports is what out/ holds
            reports.put(read_tree(out) == files)
    write_tree(files, out, checkpoint)


def test_fifty_concurrent_pairs_leave_the_tree_of_the_build_that_finished_last(tmp_path: Path) -> None:
    out, trees = tmp_path / "out", [tree("a", 50), tree("b", 50)]
    reports: Queue[bool] = FORK.Queue()
    intact = 0
    for _ in range(50):
        pair = [FORK.Process(target=_build, args=(files, out, reports)) for files in trees]
        for build in pair:
            build.start()
        for build in pair:
            build.join()
        intact += all(build.exitcode == 0 for build in pair) and read_tree(out) in trees and not leftovers(out)
    own_tree = [reports.get(timeout=5) for _ in range(100)]

    assert intact == 50
    assert all(own_tree)


def _varied(seed: int) -> Tree:
    """A tree sharing most files with the others, some edited, some gone, folders coming and going, and a name
    that is a file in some trees and a folder in others."""
    chosen = random.Random(seed)
    found = {f"d{index % 5}/f{index}.yml": (b"same %d\n" % index if chosen.random() < 0.8 else b"edit %d %d\n" % (
        index, seed)) for index in range(60) if chosen.random() < 0.9}
    found["swing/x.yml" if seed % 2 else "swing"] = b"swing %d\n" % seed
    found[f"only-{seed % 3}/deep/marker.yml"] = b"%d\n" % seed
    return found


def test_a_watching_write_makes_each_tree_in_the_last_one_and_never_writes_into_out(tmp_path: Path) -> None:
    out, kept = tmp_path / "out", tmp_path / "kept"
    earlier: list[tuple[Path, bytes]] = []
    for seed in range(12):
        files = _varied(seed)
        write_tree(files, out, keep_spare=True)
        assert read_tree(out) == files
        for path, data in earlier:  # a file out/ held, linked here: a write into a link of it would show
            assert path.read_bytes() == data
        for relative, data in files.items():
            link = kept / str(seed) / relative
            link.parent.mkdir(parents=True, exist_ok=True)
            os.link(out / relative, link)
            earlier.append((link, data))
    assert leftovers(out) == [".out.spare"]
    write_tree(_varied(0), out)  # a build that is not watching removes it
    assert leftovers(out) == []


def test_a_spare_tree_someone_changed_still_gives_exactly_the_new_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(_varied(1), out, keep_spare=True)
    write_tree(_varied(2), out, keep_spare=True)
    spare = tmp_path / ".out.spare"
    (spare / "d1/f1.yml").unlink(missing_ok=True)
    (spare / "d2").rename(spare / "stray")
    (spare / "d3/f3.yml").unlink(missing_ok=True)
    (spare / "d3/f3.yml").symlink_to(tmp_path / "elsewhere")
    (spare / "extra.yml").write_bytes(b"not in any tree\n")
    write_tree(_varied(3), out, keep_spare=True)
    assert read_tree(out) == _varied(3)
    assert not (tmp_path / "elsewhere").exists()
    out_tree.release_spare(out)
    assert leftovers(out) == []


@pytest.mark.parametrize("planted", ["a file", "a link to a folder"])
def test_whatever_takes_the_spare_trees_name_is_replaced_not_followed(tmp_path: Path, planted: str) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.yml").write_bytes(b"not obsgen's\n")
    write_tree(_varied(1), out, keep_spare=True)
    spare = tmp_path / ".out.spare"
    if planted == "a file":
        spare.write_bytes(b"in the way\n")
    else:
        spare.symlink_to(elsewhere, target_is_directory=True)
    write_tree(_varied(2), out, keep_spare=True)
    write_tree(_varied(3), out, keep_spare=True)
    assert read_tree(out) == _varied(3) and spare.is_dir() and not spare.is_symlink()
    assert read_tree(elsewhere) == {"kept.yml": b"not obsgen's\n"}
