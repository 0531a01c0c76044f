"""A build whose inputs have not changed is replayed from its record: the same out/ and the same output as a full
build, without loading the definitions; any change to what it read, to its environment, or to the record itself
makes a full build, and a build that ran a program is never recorded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from generator.core.sealed_file import read_sealed, write_sealed
from tests.speed.project import node_exporter_project, recorded

RUN = ("import sys\nfrom generator.cli.entry import main\ntry:\n    main()\nexcept SystemExit as done:\n"
       "    print('EXIT', done.code)\nelse:\n    print('EXIT', 0)\nprint('MODULES', *sys.modules)")
LOADED = ("generator.build", "generator.model", "generator.targets", "generator.load", "pydantic", "yaml", "jinja2")
"""What a full build loads and a replayed one does not."""


SERIALISING = ("from types import SimpleNamespace\nfrom generator.package import emit, reuse\n"
               "from generator.cli.entry import main\n"
               "def counted(path, *args):\n    print('SERIALISED', path)\n    return emit.serialise(path, *args)\n"
               "reuse.emit = SimpleNamespace(serialise=counted, __file__=emit.__file__)\nmain()\n")
"""A build that prints the path of every output file it serialises (its others are reused)."""


def _tree(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def _build(definitions: Path, out: Path, *options: str, **env: str) -> tuple[bool, str, dict[str, bytes]]:
    """One `obsgen build` in a fresh process with bytecode (and so the record) written: whether it was replayed,
    what it printed on stderr, and out/."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"} | env
    done = subprocess.run([sys.executable, "-c", RUN, "build", "-d", str(definitions), "-o", str(out), *options],
                          capture_output=True, text=True, env=environment, cwd=definitions.parent)
    printed, modules = done.stdout.split("MODULES")
    assert "EXIT 0" in printed, done.stderr
    return not any(name.startswith(LOADED) for name in modules.split()), done.stderr, _tree(out)


EXPLAIN = """
import os, sys
from pathlib import Path
import orjson
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as main() sets it, before the key
from generator.core.reads import Reads
from generator.core.seal_key import seal_key, sealed
from generator.replay import key
data, definitions = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2])
digest, _, rest = data.partition(b"\\n")
index = rest.partition(b"\\n")[0]
if seal_key() is None:
    print("this process has no seal key")
elif not sealed(digest, index + b"\\n"):
    print("the record is not sealed by this user's key")
elif orjson.loads(index)["key"] != key(definitions, None):
    print("the key differs: interpreter, sys.path, working directory or environment")
else:
    reads = Reads.from_data(orjson.loads(index)["reads"])
    path = reads.changed()
    recorded = [kind for kind in ("files", "listings", "searched", "probes", "absent") if path in getattr(reads, kind)]
    exists = path is not None and os.path.exists(path)
    now = (sorted(os.listdir(path)) if os.path.isdir(path) else os.stat(path)) if exists else None
    print(f"input {path!r} changed" if path else "no input differs now (a change undone since?)",
          *[f"{kind}: {getattr(reads, kind)[path]}" for kind in recorded], f"now: {now}" if path else "")
"""
"""Run where a build runs: why the record it was given would not be replayed now."""


def _why_not_replayed(definitions: Path, record: bytes) -> str:
    """Why a build of the definitions would not replay `record` (the bytes of an earlier one) now: no key, a seal
    that fails, another key, or the first input that changed, with what it held and holds."""
    with tempfile.NamedTemporaryFile() as kept:  # (not beside the definitions: that directory is an input)
        kept.write(record)
        kept.flush()
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        done = subprocess.run([sys.executable, "-c", EXPLAIN, kept.name, str(definitions)], capture_output=True,
                              text=True, env=environment, cwd=definitions.parent)
    return f"not replayed: {done.stdout.strip()} {done.stderr.strip()}"


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    found = node_exporter_project(tmp_path, kubernetes=True)
    (found / "extra.py").write_text(
        "import json, pathlib\n"
        "from generator.model import RecordingRule\n"
        "_HERE = pathlib.Path(__file__).parent\n"
        "_WINDOW = json.loads((_HERE / 'extra.json').read_text())['window']\n"
        "_JOB = 'critical' if (_HERE / 'critical.flag').exists() else 'node'\n"
        "EXTRA = RecordingRule(name='job:up:avg', expr=f'avg_over_time(up{{job=\"{_JOB}\"}}[{_WINDOW}])')\n")
    (found / "extra.json").write_text('{"window": "5m"}')
    return found


def test_an_unchanged_build_is_replayed_with_the_same_files_and_output(definitions: Path) -> None:
    out = definitions.parent / "out"
    replayed, said, tree = _build(definitions, out)
    assert not replayed
    record = recorded(definitions)
    again = _build(definitions, out)
    assert again[0], _why_not_replayed(definitions, record)
    assert again == (True, said, tree)
    for path in list(out.rglob("*"))[::-1]:  # out/ removed: the replay writes it whole
        path.unlink() if path.is_file() else path.rmdir()
    record = recorded(definitions)
    again = _build(definitions, out)
    assert again[0], _why_not_replayed(definitions, record)
    assert again == (True, said, tree)


def test_a_tools_dot_entry_appearing_on_sys_path_is_no_change(definitions: Path, tmp_path: Path) -> None:
    """A checkout on sys.path (the editable install's) gains .hypothesis/, .pytest_cache/, .out.lock as tests and
    tools run beside the build: no import can find them, so the next build is still replayed."""
    checkout, out = tmp_path / "checkout", definitions.parent / "out"
    checkout.mkdir()
    path = os.pathsep.join(filter(None, [str(checkout), os.environ.get("PYTHONPATH")]))
    said, tree = _build(definitions, out, PYTHONPATH=path)[1:]
    for entry in (checkout / ".hypothesis", definitions.parent / ".pytest_cache"):  # on sys.path: -c's is the cwd
        entry.mkdir()
        assert _build(definitions, out, PYTHONPATH=path) == (True, said, tree)


@pytest.mark.parametrize("change", ["a module", "a data file it reads", "a file it probes", "a new module",
                                    "the environment", "a torn record", "a record of other bytes"])
def test_any_change_to_what_the_build_read_builds_again_as_a_fresh_build_would(definitions: Path,
                                                                               change: str) -> None:
    out, fresh = definitions.parent / "out", definitions.parent / "fresh"
    _build(definitions, out)
    record = definitions / "__pycache__/obsgen-build.record"
    env = {}
    if change == "a module":
        (definitions / "extra.py").write_text((definitions / "extra.py").read_text().replace("avg_", "max_"))
    elif change == "a data file it reads":
        (definitions / "extra.json").write_text('{"window": "7m"}')
    elif change == "a file it probes":
        (definitions / "critical.flag").write_text("")
    elif change == "a new module":
        (definitions / "later.py").write_text("from generator.model import RecordingRule\n"
                                               "LATER = RecordingRule(name='job:up:min', expr='min(up)')\n")
    elif change == "the environment":
        env = {"OBSGEN_TEST_VARIABLE": "1"}
    elif change == "a torn record":
        record.write_bytes(record.read_bytes()[:-100])
    else:
        data = bytearray(record.read_bytes())
        data[-10] ^= 1
        record.write_bytes(bytes(data))
    replayed, said, tree = _build(definitions, out, **env)
    assert not replayed
    os.remove(record)
    assert _build(definitions, fresh, **env)[1:] == (said.replace(str(out), str(fresh)), tree)
    assert _build(definitions, out, **env)[0]  # recorded again


def test_full_builds_in_full_and_records_again(definitions: Path) -> None:
    out = definitions.parent / "out"
    first = _build(definitions, out)
    assert _build(definitions, out, "--full") == (False, *first[1:])
    assert _build(definitions, out)[0]


def test_the_key_leaves_out_shell_bookkeeping_only(definitions: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.replay import key

    before = key(definitions, None)
    monkeypatch.setenv("OLDPWD", "/elsewhere")
    monkeypatch.setenv("SHLVL", "7")
    monkeypatch.setenv("MAKELEVEL", "1")
    assert key(definitions, None) == before
    monkeypatch.setenv("OBSGEN_ENVIRONMENT", "staging")
    assert key(definitions, None) != before


def test_a_build_that_runs_a_program_is_never_replayed(definitions: Path) -> None:
    (definitions / "extra.py").write_text("import subprocess\nsubprocess.run(['true'], check=True)\n"
                                          + (definitions / "extra.py").read_text())
    out = definitions.parent / "out"
    assert not _build(definitions, out)[0]
    assert not _build(definitions, out)[0] and not (definitions / "__pycache__/obsgen-build.record").exists()


def test_a_build_after_an_edit_into_a_new_out_serialises_only_the_files_the_edit_changed(definitions: Path) -> None:
    out, fresh = definitions.parent / "out", definitions.parent / "fresh"
    before = _build(definitions, out)[2]
    (definitions / "extra.py").write_text((definitions / "extra.py").read_text().replace("avg_", "max_"))
    shutil.rmtree(out)  # a new checkout's out/, or one removed: the record still holds the last build's files
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", SERIALISING, "build", "-d", str(definitions), "-o", str(out)],
                          capture_output=True, text=True, env=environment, cwd=definitions.parent, check=True)
    serialised = {line.split(" ", 1)[1] for line in done.stdout.splitlines() if line.startswith("SERIALISED ")}
    after = _tree(out)
    assert serialised == {path for path, data in after.items() if before.get(path) != data} != set()
    os.remove(definitions / "__pycache__/obsgen-build.record")
    assert _build(definitions, fresh)[2] == after  # as a build with no record to take bytes from


def _files(out: Path) -> dict[str, os.stat_result]:
    return {str(path.relative_to(out)): path.stat() for path in sorted(out.rglob("*")) if path.is_file()}


def test_a_build_into_a_new_out_links_the_files_the_last_one_wrote_as_a_cold_build_writes_them(
        definitions: Path) -> None:
    out, cold = definitions.parent / "out", definitions.parent / "cold"
    before = _build(definitions, out)[2]
    kept = {path: (found.st_ino, found.st_mtime_ns) for path, found in _files(out).items()}
    (definitions / "extra.py").write_text((definitions / "extra.py").read_text().replace("avg_", "max_"))
    shutil.rmtree(out)  # a new checkout's out/, or one removed
    after = _build(definitions, out)[2]
    changed = {path for path, data in after.items() if before.get(path) != data}
    relinked = {path for path, found in _files(out).items()
                if (found.st_ino, found.st_mtime_ns) == kept.get(path)}
    assert changed and relinked == after.keys() - changed  # the others linked from the files kept, not written
    shutil.rmtree(definitions / "__pycache__")  # no record, no kept files: a cold build
    assert _build(definitions, cold)[2] == after
    assert {path: (found.st_mode, found.st_uid) for path, found in _files(cold).items()} == \
        {path: (found.st_mode, found.st_uid) for path, found in _files(out).items()}


def test_a_kept_file_changed_through_out_is_written_again(definitions: Path) -> None:
    out = definitions.parent / "out"
    before = _build(definitions, out)[2]
    with open(out / "prometheus/prometheus.yml", "ab") as file:  # in place: the kept file is the same inode
        file.write(b"# edited\n")
    shutil.rmtree(out)
    assert _build(definitions, out)[0]  # replayed, from the record's bytes
    assert _tree(out) == before
    assert _build(definitions, out, PYTHONDONTWRITEBYTECODE="1")[2] == before
    shutil.rmtree(definitions / "__pycache__")
    _build(definitions, out, PYTHONDONTWRITEBYTECODE="1")
    assert not (definitions / "__pycache__").exists()  # no files kept when no bytecode is written


QUICK = "import sys\nfrom generator.cli import command_record\ncommand_record.RECORD = sys.argv.pop(1)\n" + RUN
"""RUN with the command record at the path given first."""


def _program(definitions: Path, out: Path, record: Path, *options: str,
             status: int = 0) -> tuple[bool, str, str, dict[str, bytes]]:
    """`obsgen build` as the program runs it, with its command record at `record`: whether it imported typer, and
    what it printed on stdout and stderr, and out/."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", QUICK, str(record), "build", "-d", str(definitions), "-o", str(out),
                           *options], capture_output=True, text=True, env=environment, cwd=definitions.parent)
    printed, modules = done.stdout.split("MODULES")
    assert f"EXIT {status}" in printed, done.stderr
    return "typer" in modules.split(), printed.replace(f"EXIT {status}\n", ""), done.stderr, _tree(out)


@pytest.mark.parametrize("options", [(), ("--format", "json")])
def test_a_build_parsed_before_that_must_run_runs_without_typer_and_says_what_typer_would(
        definitions: Path, tmp_path: Path, options: tuple[str, ...]) -> None:
    """After an edit (and after one that breaks a definition), the same files, output and exit status as the build
    typer runs, from the same out/ and without the build's record."""
    out, record, kept = definitions.parent / "out", tmp_path / "commands.record", tmp_path / "kept"
    _program(definitions, out, record, *options)  # through typer: its options kept
    for window, status in (("10m", 0), ("5 minutes", 1)):
        (definitions / "extra.json").write_text(json.dumps({"window": window}))
        shutil.copytree(out, kept)
        quick = _program(definitions, out, record, *options, status=status)
        shutil.rmtree(out)
        kept.rename(out)
        os.remove(record)
        (definitions / "__pycache__/obsgen-build.record").unlink(missing_ok=True)
        through_typer = _program(definitions, out, record, *options, status=status)
        assert not quick[0] and through_typer[0]
        assert quick[1:] == through_typer[1:]
        assert ("10m" if status == 0 else "5 minutes") in str(quick)  # built (its rule), or its error said


@pytest.mark.parametrize("options", [(), ("--format", "github"), ("--format", "json", "-q")])
def test_a_build_parsed_before_that_replays_runs_without_typer_and_says_what_typer_would(
        definitions: Path, tmp_path: Path, options: tuple[str, ...]) -> None:
    out, record = definitions.parent / "out", tmp_path / "commands.record"
    assert _program(definitions, out, record, *options)[0]  # a full build, through typer: its options kept
    quick = _program(definitions, out, record, *options)
    os.remove(record)
    through_typer = _program(definitions, out, record, *options)  # replayed from the build record all the same
    assert not quick[0] and through_typer[0]
    assert quick[1:] == through_typer[1:]
    assert "MP007" in quick[1] + quick[2] or "-q" in options  # its warnings said


def test_a_record_naming_other_paths_than_the_command_line_is_never_followed(
        definitions: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    victim = tmp_path_factory.mktemp("victim")  # outside the project, whose listing the build reads
    (victim / "mine.txt").write_text("mine")
    out, record = definitions.parent / "out", tmp_path_factory.mktemp("record") / "commands.record"
    _program(definitions, out, record)  # through typer: its options kept
    entries = json.loads(read_sealed(record) or b"[]")
    entries[0]["build"]["out"] = str(victim)  # sealed again, as anyone who can write the file can
    write_sealed(record, json.dumps(entries).encode())
    assert _program(definitions, out, record)[0]  # typer read the command line itself
    assert [path.name for path in victim.iterdir()] == ["mine.txt"]


def test_a_reader_that_went_away_ends_a_replayed_build_as_typer_ends_it(definitions: Path, tmp_path: Path) -> None:
    out, record, flag = definitions.parent / "out", tmp_path / "commands.record", tmp_path / "typer"
    code = (f"import atexit, sys\natexit.register(lambda: open({str(flag)!r}, 'w').write(str('typer' in sys.modules)))"
            "\nfrom generator.cli import command_record\ncommand_record.RECORD = sys.argv.pop(1)\n"
            "from generator.cli.entry import main\nmain()\n")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

    def closed_stdout() -> tuple[bool, int, str]:
        read, write = os.pipe()
        os.close(read)
        with os.fdopen(write, "wb") as stdout:
            done = subprocess.run([sys.executable, "-c", code, str(record), "build", "-d", str(definitions), "-o",
                                   str(out), "--format", "github"], stdout=stdout, stderr=subprocess.PIPE,
                                  text=True, env=environment, cwd=definitions.parent)
        return flag.read_text() == "True", done.returncode, done.stderr

    _program(definitions, out, record, "--format", "github")  # a build, and its options kept
    quick = closed_stdout()
    os.remove(record)
    through_typer = closed_stdout()
    assert not quick[0] and through_typer[0]
    assert quick[1:] == through_typer[1:] == (1, "")


def test_a_build_that_compiles_its_templates_afresh_is_recorded_and_replayed(definitions: Path,
                                                                            tmp_path: Path) -> None:
    """jinja2 keeps compiled templates in a per-user directory (under TMPDIR), keyed by the template's path: the
    first build from a new checkout, or on a new machine, compiles them and writes that cache. Its write is no
    input (tempfile names the directory itself in its open event): the build is still recorded and then replayed."""
    out, fresh = definitions.parent / "out", tmp_path / "tmpdir"
    fresh.mkdir()
    replayed, said, tree = _build(definitions, out, TMPDIR=str(fresh))
    assert not replayed and (fresh / f"_jinja2-cache-{os.getuid()}").is_dir()
    record = recorded(definitions)
    again = _build(definitions, out, TMPDIR=str(fresh))
    assert again[0], _why_not_replayed(definitions, record)
    assert again == (True, said, tree)
