"""The fast YAML and JSON paths of generator.package.emit write the bytes PyYAML's representer and json.dumps write."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import yaml

from generator.model.project import Project
from generator.package.emit import serialise
from generator.targets import render_all

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TRICKY: dict[Any, Any] = {
    "plain": ["yes", "no", "on", "null", "~", "", " lead", "trail ", "a: b", "- x", "#c", "1e3", "0x1F", "1_000",
              "12:30", "2026-11-25", "@at", "%p", "`t`", "'q'", '"d"', "é ü 日本", "tab\there", "\u2028", "x" * 1500],
    "multi": ["line\n", "two\nlines", "trailing\n\n", "\n leading", "  indented\nx", "crlf\r\nline"],
    "numbers": [0, -1, 2**70, 0.1, 1e-05, 1e-9, 1e16, 1e17, 1e22, -0.0, 1.5e300, math.inf, -math.inf],
    "other": [True, False, None, {}, [], [[]], {"e": {}}],
    1: "int key",
    "nested": {"a": [{"b": {"c": ["d", {"e": 1}]}}]},
}


class _Reference(_Dumper):  # type: ignore[misc]
    """PyYAML's own representer with obsgen's two settings: no anchors, multi-line strings as | blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Reference.add_representer(
    str, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data
                                                      else None))


def _reference(path: str, document: Any) -> bytes:
    if isinstance(document, str):
        return serialise(path, document)
    if path.endswith(".json"):
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    body = yaml.dump(document, Dumper=_Reference, sort_keys=False, allow_unicode=True, width=1000)
    return serialise(path, "") + body.encode()


def test_every_shipped_output_is_byte_identical_to_the_reference_serialisers(project: Project) -> None:
    documents = render_all(project)
    assert sum(path.endswith(".json") for path in documents) >= 5
    for path, document in documents.items():
        assert serialise(path, document) == _reference(path, document), path


@pytest.mark.parametrize("suffix", [".yml", ".json"])
def test_tricky_values_serialise_as_the_reference_does(suffix: str) -> None:
    document = TRICKY if suffix == ".yml" else {str(key): value for key, value in TRICKY.items()}
    if suffix == ".json":  # JSON has no literal for infinity: see the test below
        document["numbers"] = [number for number in TRICKY["numbers"] if math.isfinite(number)]
    assert serialise(f"t{suffix}", document) == _reference(f"t{suffix}", document)


@pytest.mark.parametrize("number", [1e-05, 1e-9, 1.5e-10, 5e-05, 1e16, 1e22, 0.0001, 2**70, 3.14])
def test_json_numbers_orjson_writes_otherwise_still_come_out_as_json_dumps_writes_them(number: float) -> None:
    document = {"value": number, "list": [number], "key": {"1e-05": "0.00001"}}
    assert serialise("n.json", document) == _reference("n.json", document)


def test_json_with_keys_orjson_refuses_falls_back_to_json() -> None:
    assert serialise("k.json", {1: "a", "b": 2}) == _reference("k.json", {1: "a", "b": 2})


def test_json_writes_non_finite_numbers_as_null_as_javascript_does() -> None:
    assert json.loads(serialise("i.json", {"max": math.inf, "min": -math.inf, "nan": math.nan})) == {
        "max": None, "min": None, "nan": None}


def test_types_json_cannot_serialise_still_fail() -> None:
    with pytest.raises(TypeError):
        serialise("s.json", {"set": {1, 2}})


def test_json_text_that_looks_like_an_exponent_comes_out_as_json_dumps_writes_it() -> None:
    document = {"uid": "kube-1", "title": "node-2e-3", "list": ["a 1e-5", "x-0.00001"], "n": 1e-06}
    assert serialise("u.json", document) == _reference("u.json", document)
