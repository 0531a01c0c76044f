"""Template actions are found in linear time on hostile text (an imported rule's annotation, a label's value), and
as the regexes they replace found them on every text: each growth test fails where the old regex ran (about 100x
per 10x longer when quadratic, 1000x when cubic; tests/linear_time.py), each fuzz compares with the old regex."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from generator.checks.notify.unsilenceable_label_value import without_actions
from generator.core.gotemplate import _actions, readable
from tests.linear_time import LINEAR, growth

_OLD_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_OLD_ACTIONS = re.compile(r"\{\{.*?\}\}", re.DOTALL)
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
