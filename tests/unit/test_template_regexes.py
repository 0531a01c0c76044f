"""Template actions are found in linear time on hostile text (an imported rule's annotation, a label's value), and
as the regexes they replace found them on every text: each growth test fails where the old regex ran (about 100x
per 10x longer when quadratic, 1000x when cubic; tests/linear_time.py), each fuzz compares with the old regex."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from generator.checks.notify.unsilenceable_label_value import without_actions
from generator.core.gotemplate import (
    _ABSENT,
    _ELSE,
    _END,
    _LABELS,
    _VALUE_ACTION,
    _WITH_LABEL,
    TemplateError,
    _actions,
    _blocks,
    guard_absent_value,
    readable,
    render,
)
from tests.linear_time import LINEAR, growth

_OLD_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_OLD_ACTIONS = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_OLD_WITH_LABEL = re.compile(rf"\{{\{{-?\s*with\s+{_LABELS}\s*-?\}}\}}(.*?)\{{\{{-?\s*end\s*-?\}}\}}", re.S)
_OLD_ABSENT = re.compile(r'\{\{-?\s*if\s+eq\s+\(printf\s+"%f"\s+\$value\)\s+"NaN"\s*-?\}\}(.*?)'
                         r"\{\{-?\s*else\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}", re.S)
_OLD_VALUE_ACTION = re.compile(r"\{\{(?!-?\s*(?:if|with|range|else|end)\b)[^{}]*\$value[^{}]*\}\}%?")
_BLOCK_PIECES = ["{{ with $labels.a }}", "{{with $externalLabels.b-}}", "{{- end }}", "{{end}}", "{{ else }}",
                 '{{ if eq (printf "%f" $value) "NaN" }}', "{{", "}}", " ", "\n", "x", "{{ . }}", "-", "{{-else-}}"]
_PIECES = ["{", "}", "-", " ", "\n", "\t", "a", "$", "\x1c", "\u3000", "\r", "{{", "}}", "{{-", "-}}", "\x85"]


def _fuzzed(count: int, seed: int) -> list[str]:
    """Short texts of the pieces that decide where an action starts and ends (blanks Unicode calls blanks too)."""
    chosen = random.Random(seed)
    return ["".join(chosen.choice(_PIECES) for _ in range(chosen.randint(0, 24))) for _ in range(count)]


@pytest.mark.parametrize(("text", "n"), [
    (lambda n: "{{" + " " * n + "x", 100),  # every split of the blanks tried: 10,000 spaces ran for minutes
    (lambda n: "{{ a" + " " * n + "b }}", 1000),  # the blanks before each character rescanned
    (lambda n: "{{" * (n // 2), 1000),  # each {{ read to the end for a }}
], ids=["open then blanks", "blanks in a body", "opens"])
def test_template_actions_are_found_in_linear_time(text: Callable[[int], str], n: int) -> None:
    assert growth(readable, text, n) < LINEAR


def test_template_actions_are_found_as_the_regex_found_them() -> None:
    texts = [*_fuzzed(20_000, 53), "{{ $labels.a }} {{- $value -}}\n{{\n x \n}}", "{{-}}{{--}}{{ a-}}"]
    for text in texts:
        assert list(_actions(text)) == [(m.start(), m.end(), m[1]) for m in _OLD_ACTION.finditer(text)], text


def test_a_labels_value_loses_its_actions_in_linear_time() -> None:
    assert growth(without_actions, lambda n: "{{" * (n // 2) + "}}" + "{{" * (n // 2)) < LINEAR


def test_a_labels_value_loses_its_actions_as_before() -> None:
    for text in _fuzzed(20_000, 54):
        assert without_actions(text) == _OLD_ACTIONS.sub("", text), text


def _refused(text: str) -> None:
    with pytest.raises(TemplateError):  # an unclosed block is an action render cannot predict
        render(text, {}, 1.0)


@pytest.mark.parametrize("text", [
    lambda n: "{{ with $labels.a }}" * (n // 20),  # each block read to the end for its {{ end }}
    lambda n: '{{ if eq (printf "%f" $value) "NaN" }}{{ else }}' * (n // 48),
], ids=["with", "absent"])
@pytest.mark.parametrize("run", [readable, _refused], ids=["readable", "render"])
def test_template_blocks_are_found_in_linear_time(run: Callable[[str], object], text: Callable[[int], str]) -> None:
    assert growth(run, text, 200) < LINEAR


def test_template_blocks_are_found_as_the_regexes_found_them() -> None:
    chosen = random.Random(55)

    def old(match: re.Match[str]) -> str:
        return "<" + "|".join(group or "" for group in match.groups()) + ">"

    def new(head: re.Match[str], texts: list[str]) -> str:
        return "<" + "|".join([*(group or "" for group in head.groups()), *texts]) + ">"

    for _ in range(10_000):
        text = "".join(chosen.choice(_BLOCK_PIECES) for _ in range(chosen.randint(0, 12)))
        assert _blocks(text, _WITH_LABEL, [_END], new) == _OLD_WITH_LABEL.sub(old, text), text
        assert _blocks(text, _ABSENT, [_ELSE, _END], new) == _OLD_ABSENT.sub(old, text), text


def test_a_value_action_is_guarded_in_linear_time() -> None:
    assert growth(guard_absent_value, lambda n: "{{" + "$value" * (n // 6)) < LINEAR  # each $value tried in turn


def test_a_value_action_is_found_as_before() -> None:
    chosen = random.Random(56)
    pieces = ["{{", "}}", "{", "}", "$value", "$val", " ", "\n", "%", "-", "if", "end", "x", "|", "humanize "]
    for _ in range(20_000):
        text = "".join(chosen.choice(pieces) for _ in range(chosen.randint(0, 14)))
        assert [m.span() for m in _VALUE_ACTION.finditer(text)] == [m.span() for m in _OLD_VALUE_ACTION.finditer(text)]
