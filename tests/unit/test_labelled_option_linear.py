"""A custom variable's item `text : value` (core/grafana_interpolation.labelled_option, on imported dashboards'
items and the definitions' own) is split in linear time, as NAMED_VALUE.fullmatch split it."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from generator.core.grafana_interpolation import NAMED_VALUE, labelled_option
from tests.linear_time import LINEAR, growth

SHAPES: dict[str, Callable[[int], str]] = {
    "leading blanks": lambda n: " " * n + "x",
    "leading blanks, named": lambda n: " " * n + "x : y",
    "colons before a newline": lambda n: "x : " * n + "\n",
    "colons, the last naming": lambda n: "x : " * n + "y",
    "leading newlines and blanks": lambda n: " \n" * n + "x : y",
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_an_item_is_split_in_linear_time(shape: str) -> None:
    assert growth(labelled_option, SHAPES[shape]) < LINEAR


def _old(item: str) -> tuple[str, str]:
    named = NAMED_VALUE.fullmatch(item)
    return (named.group(1).strip(), named.group(2).strip()) if named else (item.strip(), item.strip())


def test_an_item_is_split_as_before() -> None:
    rng = random.Random(54)
    pieces = [" ", "\t", "\n", ":", "a", "b", "\u2028", "\x1c", "\r", " : ", " :\n", "\n: "]
    items = ["a : b", " a : b : c ", "k : v : w", ":", " : ", "a :b", "\t : v", "a\n : b", "a : \nb", "a :\tb\n"]
    items += ["".join(rng.choice(pieces) for _ in range(rng.randrange(16))) for _ in range(20000)]
    for item in items:
        assert labelled_option(item) == _old(item), repr(item)
