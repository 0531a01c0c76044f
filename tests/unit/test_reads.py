"""What a block reads is recorded (files, listings, stat probes, missing imports), each change to it is seen, and
anything whose result no file holds makes the block unsafe to reuse."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from generator.core.reads import recording


def test_an_opened_file_is_an_input_and_a_change_of_its_bytes_is_seen(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"a": 1}')
    with recording() as reads:
        data.read_text()
    assert str(data) in reads[0].files and reads[0].unsafe is None and reads[0].changed() is None
    os.utime(data, ns=(1, 1))  # touched, same bytes: still the same input
    assert reads[0].changed() is None
    data.write_text('{"a": 2}')
    assert reads[0].changed() == str(data)


def test_a_file_outside_the_hashed_roots_is_compared_by_its_stat_alone(tmp_path: Path) -> None:
    (tmp_path / "edited").mkdir()
    inside, outside = tmp_path / "edited" / "module.py", tmp_path / "installed.py"
    for path in (inside, outside):
        path.write_text("x = 1")
        os.utime(path, ns=(1, 1))  # not modified just now: its stat is trusted
    with recording(hashed=(f"{tmp_path / 'edited'}{os.sep}",)) as reads:
        inside.read_text()
        outside.read_text()
    assert reads[0].files[str(outside)][3] == "" and reads[0].files[str(inside)][3] != ""
    os.utime(inside, ns=(2, 2))
    assert reads[0].changed() is None  # touched, same bytes
    os.utime(outside, ns=(2, 2))
    assert reads[0].changed() == str(outside)  # touched: no digest to tell, so changed (it only costs a build)


def test_a_listed_directory_changes_when_a_file_appears(tmp_path: Path) -> None:
    with recording() as reads:
        sorted(tmp_path.iterdir())
    assert reads[0].changed() is None
    (tmp_path / "new.py").write_text("")
    assert reads[0].changed() == str(tmp_path)


def test_a_path_probed_by_exists_changes_when_it_appears(tmp_path: Path) -> None:
    flag = tmp_path / "enabled"
    with recording() as reads:
        assert not flag.exists() and not os.path.isfile(flag)
    assert reads[0].probes[str(flag)] == ("missing",) and reads[0].changed() is None
    flag.write_text("")
    assert reads[0].changed() == str(flag)


def test_an_import_not_found_changes_when_the_module_appears(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        # an `import` statement, as a definition's optional import is: importlib.import_module is not audited
        with recording() as reads, contextlib.suppress(ImportError):
            import obsgen_optional_plugin  # type: ignore[import-not-found]  # noqa: F401
        assert list(reads[0].absent) == ["obsgen_optional_plugin"] and reads[0].changed() is None
        (tmp_path / "obsgen_optional_plugin.py").write_text("")
        importlib.invalidate_caches()
        assert reads[0].changed() is not None
    finally:
        sys.path.remove(str(tmp_path))


def test_running_a_program_or_writing_outside_the_ignored_roots_is_unsafe(tmp_path: Path) -> None:
    with recording() as reads:
        subprocess.run(["true"], check=True)
    assert reads[0].unsafe == "subprocess.Popen"
    cache = tmp_path / "cache"
    cache.mkdir()
    with recording((f"{cache}{os.sep}",)) as reads:
        (cache / "entry").write_text("saved")
        (cache / "entry").read_text()
    assert reads[0].unsafe is None and str(cache / "entry") not in reads[0].files
    with recording((f"{cache}{os.sep}",)) as reads:
        (tmp_path / "log.txt").write_text("side effect")
    assert reads[0].unsafe == f"writes {tmp_path / 'log.txt'}"


def test_the_record_survives_its_plain_data_and_stat_is_restored(tmp_path: Path) -> None:
    stat = os.stat
    (tmp_path / "a").write_text("a")
    with recording() as reads:
        (tmp_path / "a").read_text()
        (tmp_path / "b").exists()
    assert os.stat is stat
    again = type(reads[0]).from_data(reads[0].data())
    assert again == reads[0] and again.changed() is None


def test_a_file_rewritten_within_its_timestamp_tick_is_still_seen(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("aaaa")
    with recording() as reads:
        data.read_text()
    before = os.stat(data)
    data.write_text("bbbb")  # same size and inode, and (restored) the same modification time
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert reads[0].changed() == str(data)


def test_a_module_that_importlib_could_not_find_in_a_package_is_an_input_and_one_imported_is_not(
        tmp_path: Path) -> None:
    (tmp_path / "obsgen_loaded_package").mkdir()
    (tmp_path / "obsgen_loaded_package" / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        with recording() as reads, contextlib.suppress(ImportError):
            importlib.import_module("obsgen_loaded_package")
            del sys.modules["obsgen_loaded_package"]  # as the loader does with definitions/: still no failed import
            importlib.import_module("obsgen_loaded_package.plugin")
        assert list(reads[0].absent) == ["obsgen_loaded_package.plugin"] and reads[0].changed() is None
        (tmp_path / "obsgen_loaded_package" / "plugin.py").write_text("")
        importlib.invalidate_caches()
        assert reads[0].changed() == str(tmp_path / "obsgen_loaded_package")  # its listing, looked at first
        reads[0].searched.clear()
        assert reads[0].changed() == "obsgen_loaded_package.plugin"
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("obsgen_loaded_package", None)


def test_an_input_saved_while_the_block_ran_is_recorded_as_changed(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("x = 1")
    editor = subprocess.Popen(  # another process, as an editor saving during a build is
        [sys.executable, "-c", "import pathlib, sys; sys.stdin.readline(); pathlib.Path(sys.argv[1]).write_text("
         "'x = 22'); pathlib.Path(sys.argv[2]).write_text('')", str(module), str(tmp_path / "later.py")],
        stdin=subprocess.PIPE, text=True)
    assert editor.stdin is not None
    with recording() as reads:
        module.read_text()
        sorted(tmp_path.iterdir())
        editor.stdin.write("save\n")
        editor.stdin.flush()
        editor.wait()
    assert reads[0].unsafe is None
    assert reads[0].changed() == str(module)  # the block read the old bytes: recorded as changed
    del reads[0].files[str(module)]
    assert reads[0].changed() == str(tmp_path)  # the listing is the one the block saw, without later.py


def test_a_dot_entry_in_a_directory_on_sys_path_is_no_input_of_an_import_but_of_a_listing(tmp_path: Path) -> None:
    """A tool's cache appearing in a checkout on sys.path (.hypothesis, .pytest_cache, .out.lock: the editable
    install puts the checkout there) cannot change what an import finds; a module appearing there can, and a
    listing the block itself took sees every entry."""
    (tmp_path / "obsgen_searched_module.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()  # as the loader does: the finder lists tmp_path again, while recording
        with recording() as reads:
            importlib.import_module("obsgen_searched_module")
        assert str(tmp_path) in reads[0].searched and reads[0].changed() is None
        (tmp_path / ".pytest_cache").mkdir()
        assert reads[0].changed() is None
        (tmp_path / ".hidden.pth").write_text("")  # but site runs a .pth at the start, even a hidden one (3.11.7's)
        assert reads[0].changed() == str(tmp_path)
        (tmp_path / ".hidden.pth").unlink()
        (tmp_path / "obsgen_shadowing.py").write_text("")
        assert reads[0].changed() == str(tmp_path)
        with recording() as reads:
            os.listdir(tmp_path)
        assert str(tmp_path) not in reads[0].searched and reads[0].changed() is None
        (tmp_path / ".hidden").write_text("")
        assert reads[0].changed() == str(tmp_path)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("obsgen_searched_module", None)


def test_bytecode_written_under_the_pycache_prefix_is_no_write_of_the_block(tmp_path: Path) -> None:
    """make's venv sets sys.pycache_prefix: an import that compiles a module writes its bytecode there, not in a
    __pycache__, and that write is the interpreter's cache of a source (the build is still recorded); reading it is
    reading the source."""
    source = tmp_path / "src" / "obsgen_prefixed_module.py"
    source.parent.mkdir()
    source.write_text("VALUE = 1\n")
    prefix, before = tmp_path / "pycache", sys.pycache_prefix
    sys.pycache_prefix = str(prefix)
    try:
        cached = Path(importlib.util.cache_from_source(str(source)))
        with recording() as reads:
            cached.parent.mkdir(parents=True)
            cached.write_bytes(b"bytecode")
            cached.read_bytes()
        assert reads[0].unsafe is None and str(source) in reads[0].files
    finally:
        sys.pycache_prefix = before
