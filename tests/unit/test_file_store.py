"""The kept files of the last build (package/file_store.py): only ever in a directory of the store's own."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.package.file_store import STORE, store
from generator.package.tree import write_tree

ROOT = Path(__file__).resolve().parents[2]
FILES = {"prometheus/prometheus.yml": b"global: {}\n", "README.md": b"generated\n"}


@pytest.fixture
def definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    (tmp_path / "definitions" / "__pycache__").mkdir(parents=True)
    return tmp_path / "definitions"


def _written(definitions: Path, out: Path) -> dict[str, bytes]:
    write_tree(FILES, out, store=store(definitions))
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("planted", ["__pycache__", f"__pycache__/{STORE}"])
def test_a_store_linked_elsewhere_is_neither_written_nor_pruned(definitions: Path, planted: str) -> None:
    elsewhere = definitions.parent / "elsewhere"
    (elsewhere / STORE).mkdir(parents=True)
    (elsewhere / "precious").write_text("mine\n")
    (elsewhere / STORE / "precious").write_text("mine\n")
    if planted == "__pycache__":
        (definitions / planted).rmdir()
    (definitions / planted).symlink_to(elsewhere if planted == "__pycache__" else elsewhere / STORE)
    assert _written(definitions, definitions.parent / "out") == FILES
    assert sorted(str(path.relative_to(elsewhere)) for path in elsewhere.rglob("*")) == \
        [STORE, f"{STORE}/precious", "precious"]


def test_a_store_others_can_change_is_not_used(definitions: Path) -> None:
    (definitions / "__pycache__" / STORE).mkdir(mode=0o777)
    os.chmod(definitions / "__pycache__" / STORE, 0o777)  # (mkdir's mode is the umask's)
    assert _written(definitions, definitions.parent / "out") == FILES
    assert list((definitions / "__pycache__" / STORE).iterdir()) == []


def test_a_new_out_links_the_kept_files_only_once_no_other_out_holds_them(definitions: Path) -> None:
    out, other, new = (definitions.parent / name for name in ("out", "other", "new"))
    assert _written(definitions, out) == FILES
    assert len(list((definitions / "__pycache__" / STORE).iterdir())) == len(FILES)
    first = os.stat(out / "README.md").st_ino
    assert _written(definitions, other) == FILES  # out/ still holds them: an edit of one must not change the other
    assert os.stat(other / "README.md").st_ino != first
    with open(other / "README.md", "ab") as file:
        file.write(b"edited\n")
    assert (out / "README.md").read_bytes() == FILES["README.md"]
    shutil.rmtree(out)  # its files now held by the store alone: linked
    assert _written(definitions, new) == FILES
    assert os.stat(new / "README.md").st_ino == first


def test_a_fifo_in_the_store_is_not_waited_on(definitions: Path) -> None:
    kept = definitions / "__pycache__" / STORE
    kept.mkdir()
    os.mkfifo(kept / hashlib.sha256(FILES["README.md"]).hexdigest())  # opened for reading, it waits for a writer
    code = ("import sys\nfrom pathlib import Path\nfrom generator.package.file_store import store\n"
            "from generator.package.tree import write_tree\nsys.dont_write_bytecode = False\n"
            f"write_tree({FILES!r}, Path({str(definitions.parent / 'out')!r}),\n"
            f"           store=store(Path({str(definitions)!r})))")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30, cwd=ROOT)
    assert (definitions.parent / "out" / "README.md").read_bytes() == FILES["README.md"]
