"""The methods dataclasses writes are compiled once per machine (core/code_cache.py): a class made from the cache is
the class compiled again, and a missing, corrupt or foreign cache only costs a compile."""

from __future__ import annotations

import dataclasses
import marshal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.core import code_cache
from generator.core.sealed_file import write_sealed


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
    path = tmp_path / "obsgen-dataclass-code"
    monkeypatch.setattr(code_cache, "TEXTS", code_cache.CompiledTexts(str(path)))
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
    assert code_cache.TEXTS.new and not texts.exists()
    code_cache.TEXTS.save()
    assert texts.exists() and not code_cache.TEXTS.new

    monkeypatch.setattr(code_cache, "TEXTS", code_cache.CompiledTexts(str(texts)))  # the next process
    monkeypatch.setattr(code_cache, "compile", _uncompilable, raising=False)
    cached = _made()
    assert not code_cache.TEXTS.new
    assert _methods(cached) == _methods(first) == _methods(plain)
    assert _behaviour(cached) == _behaviour(first) == _behaviour(plain)
    assert all(code.co_filename == "<string>" for code in _methods(cached).values())


@pytest.mark.parametrize("damage", ["torn", "edited", "another interpreter", "not marshal"])
def test_a_damaged_or_foreign_cache_only_costs_a_compile(texts: Path, damage: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _behaviour(_made())
    code_cache.TEXTS.save()
    data = texts.read_bytes()
    if damage == "torn":
        texts.write_bytes(data[: len(data) // 2])
    elif damage == "edited":
        texts.write_bytes(data.replace(b"__init__", b"__inix__"))
    elif damage == "another interpreter":
        _stamp, codes = marshal.loads(data.partition(b"\n")[2])
        assert write_sealed(texts, marshal.dumps(("3.99.0 0000", codes)))
    else:
        assert write_sealed(texts, b"\x00 not a marshalled value")
    fresh = code_cache.CompiledTexts(str(texts))
    monkeypatch.setattr(code_cache, "TEXTS", fresh)
    assert _behaviour(_made()) == expected
    assert fresh.new  # compiled again, not read
    fresh.save()
    assert code_cache.CompiledTexts(str(texts)).code(next(iter(fresh.stored or {}))) is not None


def test_nothing_is_written_without_bytecode(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _made()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    code_cache.TEXTS.save()
    assert not texts.exists()


def test_the_build_makes_its_classes_through_the_cache() -> None:
    # generator.build imports it before any module of the pipeline: their dataclasses, and pydantic's, compile once
    code = ("import sys, dataclasses, generator.build\nfrom generator.core import code_cache\n"
            "print(dataclasses.exec is code_cache.cached_exec, sys.modules['generator.core.code_cache'] is code_cache,"
            " len(code_cache.TEXTS.new) + len(code_cache.TEXTS.stored or {}) > 200)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["True", "True", "True"]
