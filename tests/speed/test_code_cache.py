"""The methods dataclasses writes and the programs of regular expressions are compiled once per machine
(core/code_cache.py): a class or pattern made from the cache is the one compiled again, and a missing, corrupt or
foreign cache only costs a compile."""

from __future__ import annotations

import dataclasses
import marshal
import os
import re
import subprocess
import sys
import threading
import typing
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.core import code_cache
from generator.core.sealed_file import write_sealed
from tests.speed.project import node_exporter_project


def _made() -> Any:
    """A class using every method dataclasses writes: __init__ with defaults and a factory, __repr__, __eq__, order,
    __hash__ and a frozen class's __setattr__/__delattr__."""
    @dataclasses.dataclass(frozen=True, order=True)
    class Window:
        name: str
        minutes: int = 5
        labels: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    return Window


def _methods(cls: Any) -> dict[str, Any]:
    methods = {name: getattr(cls, name) for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__",
                                                     "__setattr__", "__delattr__")}
    return {name: getattr(method, "__wrapped__", method).__code__ for name, method in methods.items()}  # (__repr__)


def _behaviour(cls: Any) -> list[Any]:
    one, two = cls("page", 60, ("a",)), cls("page")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.minutes = 1
    return [repr(one), repr(two), one == cls("page", 60, ("a",)), two < one, hash(two) == hash(cls("page")),
            cls.__init__.__annotations__]


@pytest.fixture
def texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, written even where the suite runs without bytecode."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "obsgen-compiled"
    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(path)))
    return path


def _uncompilable(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("compiled again")


def test_a_class_made_from_the_cache_is_the_class_dataclasses_compiles(texts: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert dataclasses.exec is code_cache.cached_exec  # type: ignore[attr-defined]
    monkeypatch.delattr(dataclasses, "exec")  # dataclasses as it is without obsgen: the builtin exec of a text
    plain = _made()
    monkeypatch.setattr(dataclasses, "exec", code_cache.cached_exec, raising=False)
    first = _made()
    assert code_cache.COMPILED.made and not texts.exists()
    code_cache.COMPILED.save()
    assert texts.exists() and not code_cache.COMPILED.made

    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(texts)))  # the next process
    monkeypatch.setattr(code_cache, "compile", _uncompilable, raising=False)
    cached = _made()
    assert not code_cache.COMPILED.made
    assert _methods(cached) == _methods(first) == _methods(plain)
    assert _behaviour(cached) == _behaviour(first) == _behaviour(plain)
    assert all(code.co_filename == "<string>" for code in _methods(cached).values())


@pytest.mark.parametrize("damage", ["torn", "edited", "another interpreter", "not marshal"])
def test_a_damaged_or_foreign_cache_only_costs_a_compile(texts: Path, damage: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _behaviour(_made())
    code_cache.COMPILED.save()
    data = texts.read_bytes()
    if damage == "torn":
        texts.write_bytes(data[: len(data) // 2])
    elif damage == "edited":
        texts.write_bytes(data.replace(b"__init__", b"__inix__"))
    elif damage == "another interpreter":
        _stamp, entries = marshal.loads(data.partition(b"\n")[2])
        assert write_sealed(texts, marshal.dumps(("3 3.99.0 0000", entries)))
    else:
        assert write_sealed(texts, b"\x00 not a marshalled value")
    fresh = code_cache.Compiled(str(texts))
    monkeypatch.setattr(code_cache, "COMPILED", fresh)
    assert _behaviour(_made()) == expected
    assert fresh.made  # compiled again, not read
    fresh.save()
    assert fresh.stored is not None and code_cache.Compiled(str(texts))._stored() == fresh.stored


def test_nothing_is_written_without_bytecode(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _made()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    code_cache.COMPILED.save()
    assert not texts.exists()


def test_the_build_makes_its_classes_through_the_cache() -> None:
    # generator.build imports it before any module of the pipeline: their dataclasses, and pydantic's, compile once
    code = ("import sys, dataclasses, generator.build\nfrom generator.core import code_cache\n"
            "print(dataclasses.exec is code_cache.cached_exec, sys.modules['generator.core.code_cache'] is code_cache,"
            " len(code_cache.COMPILED.made) + len(code_cache.COMPILED.stored or {}) > 200)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["True", "True", "True"]


PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<name>[a-z_]+)=~?\"(?P<value>[^\"]*)\"", 0),
    (r"(?i)^(x-)?(api[-_]?key|token)$", 0),
    (r"(?<![A-Za-z0-9_])glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![\w])", 0),
    (r"^\s*#.*$", re.MULTILINE),
    (r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),
    (rb"-?[0-9][0-9.]*(?P<unit>ms|s)?", 0),
    (r"café|\d+", re.ASCII | re.IGNORECASE),
]


def _matches(pattern: re.Pattern[Any]) -> list[Any]:
    text: Any = "name=~\"a\" API-KEY # x\n  # y\nglsa_" + "a" * 32 + "_0123abcd CAFÉ 42 -1.5ms \x00"
    text = text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text
    return [(found.span(), found.groups(), found.groupdict()) for found in pattern.finditer(text)]


RE_311 = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="re's programs are kept on Python 3.11 only")


@RE_311
def test_a_pattern_from_the_cache_is_the_pattern_re_compiles(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert re._compiler.compile is code_cache.cached_pattern  # type: ignore[attr-defined]
    plain = [code_cache._compile_pattern(pattern, flags) for pattern, flags in PATTERNS]
    first = [code_cache.cached_pattern(pattern, flags) for pattern, flags in PATTERNS]
    assert len(code_cache.COMPILED.made) == len(PATTERNS)
    code_cache.COMPILED.save()

    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(texts)))  # the next process
    monkeypatch.setattr(code_cache, "_parser", SimpleNamespace(parse=_uncompilable))
    cached = [code_cache.cached_pattern(pattern, flags) for pattern, flags in PATTERNS]
    assert not code_cache.COMPILED.made
    assert cached == first == plain  # equal patterns: same pattern, flags and program
    assert [_matches(p) for p in cached] == [_matches(p) for p in plain]
    assert [(p.flags, p.groups, dict(p.groupindex)) for p in cached] == [
        (p.flags, p.groups, dict(p.groupindex)) for p in plain]


@RE_311
def test_re_compiles_through_the_cache_and_says_a_bad_pattern_as_always(texts: Path) -> None:
    pattern = re.compile(r"(?P<only_in_this_test>[0-9]+)\.code_cache")
    assert code_cache.COMPILED.made == {("re", pattern.pattern, 0): code_cache.COMPILED.program(pattern.pattern, 0)}
    with pytest.raises(re.error) as plain:
        code_cache._compile_pattern(r"(?<=a+)b", 0)
    with pytest.raises(re.error) as cached:
        re.compile(r"(?<=a+)b")
    assert str(cached.value) == str(plain.value) == "look-behind requires fixed-width pattern"
    scanner = re.Scanner([(r"[0-9]+", lambda _, token: int(token)), (r"\s+", None)])  # type: ignore[attr-defined]
    assert scanner.scan("1 22") == ([1, 22], "")  # parsed patterns go to re's own compile


def test_a_forward_reference_from_the_cache_is_the_one_typing_compiles(texts: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert typing.compile is code_cache.cached_compile  # type: ignore[attr-defined]
    annotations = ["list[int] | None", "dict[str, Window]", "Literal['page', 'ticket']", "Required[int]"]
    plain = [compile(text, "<string>", "eval", dont_inherit=True) for text in annotations]
    first = [typing.ForwardRef(text).__forward_code__ for text in annotations]
    assert len(code_cache.COMPILED.made) == len(annotations)
    with pytest.raises(SyntaxError, match="Forward reference must be an expression"):
        typing.ForwardRef("not an expression")
    code_cache.COMPILED.save()

    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(texts)))  # the next process
    monkeypatch.setattr(code_cache, "compile", _uncompilable, raising=False)
    cached = [typing.ForwardRef(text).__forward_code__ for text in annotations]
    assert cached == first == plain
    assert typing.ForwardRef("list[int] | None")._evaluate(globals(), None, frozenset()) == list[int] | None


def test_a_full_cache_keeps_what_the_last_process_used_and_made(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code_cache.COMPILED.code("a = 1")
    code_cache.COMPILED.code("b = 2")
    code_cache.COMPILED.save()
    monkeypatch.setattr(code_cache, "LIMIT", len(texts.read_bytes()) + 10)  # no room for a third entry
    fresh = code_cache.Compiled(str(texts))
    assert fresh.code("a = 1") == compile("a = 1", "<string>", "exec", dont_inherit=True)  # read: used
    fresh.code("c = 3")
    fresh.save()
    assert set(code_cache.Compiled(str(texts))._stored()) == {("exec", "a = 1"), ("exec", "c = 3")}


def test_the_quick_build_makes_its_first_classes_through_the_cache(tmp_path: Path) -> None:
    # `obsgen build` run before typer (cli/quick_build.py): its replay's classes and patterns (errors', replay's)
    # compile through the cache too, not only the pipeline's
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    code = ("import sys\nfrom generator.cli import command_record\ncommand_record.RECORD = sys.argv.pop(1)\n"
            "from generator.cli.entry import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('MODULES', *sys.modules)")
    argv = [sys.executable, "-c", code, str(tmp_path / "commands.record"), "build", "-d", str(definitions), "-o",
            str(tmp_path / "out")]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, capture_output=True, check=True, env=environment, cwd=tmp_path)  # typer: options kept
    modules = subprocess.run(argv, capture_output=True, text=True, check=True, env=environment,
                             cwd=tmp_path).stdout.split("MODULES")[1].split()
    assert "typer" not in modules
    assert modules.index("generator.core.code_cache") < modules.index("generator.core.errors")


@RE_311
@pytest.mark.parametrize(("pattern", "warning"), [
    ("[[:alpha:]]+ (RE2's class, a nested set to re)", "Possible nested set at position 1"),
    ("[%--z] code_cache", "Possible set difference at position 2"),
    ("[a&&b] code_cache", "Possible set intersection at position 2"),
    (b"(?P<caf\xe9>x) code_cache", "bad character in group name 'caf\\xe9' at position 4"),
    ("(a)(?(\u0661)b) code_cache", "bad character in group name '\u0661' at position 6"),
])
def test_re_warns_of_a_pattern_in_every_process_at_its_caller(texts: Path, monkeypatch: pytest.MonkeyPatch,
                                                              pattern: str | bytes, warning: str) -> None:
    # re's FutureWarning of a possible set (RE2's `[[:alpha:]]` pasted from a Prometheus matcher) and its
    # DeprecationWarning of a group name are given at every compile of a process, naming the line that compiled
    def warned() -> list[tuple[str, str]]:
        re.purge()  # (re's own cache: the compile of a new process)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            re.compile(pattern)
        return [(str(found.message), found.filename) for found in caught]

    first = warned()
    code_cache.COMPILED.save()
    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(texts)))  # the next process
    assert warned() == first == [(warning, __file__)]

    with monkeypatch.context() as keeping:  # a file the stand-in wrote before it kept no such pattern
        keeping.setattr(code_cache, "_may_warn", lambda pattern: False)
        warned()
        code_cache.COMPILED.save()
    monkeypatch.setattr(code_cache, "COMPILED", code_cache.Compiled(str(texts)))
    assert ("re", pattern, 0) in code_cache.COMPILED._stored()
    assert warned() == first


def test_a_save_while_another_thread_compiles_keeps_what_it_had(texts: Path) -> None:
    # the save runs at exit while daemon threads (a preview server's) may still make classes and patterns: it
    # raised "dictionary changed size during iteration" in the atexit callback, a traceback and no cache
    compiled, stop = code_cache.COMPILED, threading.Event()

    def compiling() -> None:
        count = 0
        while not stop.is_set():
            compiled.code(f"made_by_another_thread = {count}")
            count += 1

    code = compile("pass", "<string>", "exec")
    made: dict[code_cache.Key, Any] = {("exec", f"made_before_the_save = {count}"): code for count in range(500)}
    switch = sys.getswitchinterval()
    thread = threading.Thread(target=compiling)
    sys.setswitchinterval(1e-6)
    thread.start()
    try:
        for _ in range(20):
            compiled.made.update(made)
            compiled.save()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(switch)
    assert made.keys() <= code_cache.Compiled(str(texts))._stored().keys()


def test_a_cache_that_cannot_be_written_is_not_marshalled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a read-only install (site-packages not writable): the save at every process's exit gives up before marshalling
    # and hashing what was made (a build's 1155 entries, 5.5 ms of CPU) for a write that fails; here the package's
    # place is a file, where not even root can write a __pycache__
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "core").write_text("")
    compiled = code_cache.Compiled(str(tmp_path / "core" / "__pycache__" / "obsgen-compiled"))
    compiled.code("a = 1")
    monkeypatch.setattr(code_cache, "marshal", SimpleNamespace(dumps=_uncompilable, loads=marshal.loads))
    compiled.save()
    assert compiled.made
