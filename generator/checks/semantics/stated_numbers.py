"""The numbers an alert's hand-written text states, and the numbers its rule has, for SM006.

The text: each number after a comparison word ("above 90%", "more than 2 minutes", "at least 1 GiB"), with its
unit; the percentages written with none ("90% busy"); each `for <duration>`. A Go template ({{ $value }},
{{ printf "%.1f" $value }}) is a value rendered at notification time, never a number the text states.

The rule: the constants its comparisons (core.promql COMPARISONS) compare with, folded when they are arithmetic
(`> 14.4 * (1 - 0.99)`), its `for` and the ranges it reads; read through the recording rules it reads too (a
threshold recorded as `x > 0.9`). A comparison of two series has no constant: the rule's threshold is then not known
and no stated threshold is judged.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from generator.checks.semantics.by_text import remembered, strings
from generator.core.promql import COMPARISONS, PromQLError, parse, ranges, unparen, walk

TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
COMPARED = re.compile(
    r"\b(above|over|exceed(?:s|ing|ed)?|(?!(?:other|rather|earlier|later)\b)[a-z]+er than|(?:more|less) than|"
    r"at (?:least|most)|below|under)"
    rf"\s+{NUMBER}\s?(%|percent\b|[KMGTP]i?B\b|[a-z]+\b)?", re.IGNORECASE)
PERCENT = re.compile(rf"(?<![\w.,]){NUMBER}\s?%")
HOLD = re.compile(r"\bfor (\d+(?:\.\d+)?) ?(seconds?|minutes?|hours?|days?|[smhd])\b")
TIME_UNITS = {"ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "s": 1, "sec": 1, "secs": 1, "second": 1,
              "seconds": 1, "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600,
              "hrs": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400, "w": 604800,
              "week": 604800, "weeks": 604800}
BYTE_POWERS = {"K": 1, "M": 2, "G": 3, "T": 4, "P": 5}
MULTIPLE = re.compile(r"[KMGTP]i?B?")
"""A multiple as written after a number: bytes (500 KiB, 1 GB) or a count (1k messages, 1.5M requests, 2Gi)."""
ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow}


@dataclass(frozen=True)
class Stated:
    """A number the text states after a comparison word, or a percentage it writes alone."""

    shown: str
    """As written ("above 90%")."""
    value: float
    unit: str
    """"%", a time unit, a multiple (KiB, GB, k, M) as written, or "" (a plain number, or a word: "more than 3
    restarts")."""
    alone: bool = False
    """A percentage written with no comparison word ("90% busy")."""

    def decimals(self) -> int:
        """Digits after the point as written: what a threshold is rounded to in the text."""
        number = re.search(NUMBER, self.shown)
        text = number.group(1) if number else ""
        return len(text.split(".")[1]) if "." in text else 0


@dataclass
class RuleNumbers:
    """What a rule compares with, how long it holds and what ranges it reads."""

    thresholds: set[float] = field(default_factory=set)
    unknown: bool = False
    """A comparison with no constant side (two series): its threshold is not known."""
    durations: set[float] = field(default_factory=set)
    """Seconds of its `for` and of every range it reads."""


def _constant(node: Any) -> float | None:
    """The value of a constant expression (`0.9`, `-(14.4 * (1 - 0.99))`), None for anything that reads a series."""
    node = unparen(node)
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return float(node.val)
    if kind == "UnaryExpr":
        inner = _constant(node.expr)
        return None if inner is None else -inner
    if kind == "BinaryExpr" and str(node.op) in ARITHMETIC:
        left, right = _constant(node.lhs), _constant(node.rhs)
        if left is None or right is None:
            return None
        try:
            return ARITHMETIC[str(node.op)](left, right)
        except (ArithmeticError, ValueError):
            return None
    return None


def _expr_numbers(expr: str) -> tuple[str, ...]:
    """An expression's thresholds ("t <value>"), ranges ("r <seconds>") and "unknown" when a comparison has no
    constant side or the expression does not parse (another check reports that)."""
    try:
        root = parse(expr)
    except PromQLError:
        return ("unknown",)
    found = [f"r {seconds!r}" for seconds in ranges(expr)]
    for node in walk(root):
        if type(node).__name__ != "BinaryExpr" or str(node.op) not in COMPARISONS:
            continue
        sides = [value for value in (_constant(node.lhs), _constant(node.rhs)) if value is not None]
        found.append(f"t {sides[0]!r}" if len(sides) == 1 else "unknown" if not sides else "")
    return tuple(sorted(set(found) - {""}))


def _read_numbers(stored: object) -> tuple[str, ...]:
    """A kept answer of _expr_numbers read back (TypeError or ValueError for another shape)."""
    kept = strings(stored)
    for item in kept:
        if item != "unknown":
            kind, value = item.split(" ")
            if kind not in ("t", "r"):
                raise ValueError(item)
            float(value)
    return kept


def rule_numbers(exprs: Iterable[str], held: float) -> RuleNumbers:
    """The thresholds, the `for` (seconds) and the ranges of an alert's expression and the recordings it reads;
    what an expression's text decides is kept across builds (by_text.remembered)."""
    numbers = RuleNumbers(durations={held} if held else set())
    for expr in exprs:
        for item in remembered("numbers", expr, partial(_expr_numbers, expr), list, _read_numbers):
            if item == "unknown":
                numbers.unknown = True
            elif item.startswith("t "):
                numbers.thresholds.add(float(item[2:]))
            else:
                numbers.durations.add(float(item[2:]))
    return numbers


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def stated(text: str) -> list[Stated]:
    """The numbers the text states after comparison words, then the percentages it writes alone, in order."""
    text = TEMPLATE.sub(" \u2039value\u203a ", text)
    found, spans = [], []
    for match in COMPARED.finditer(text):
        unit = match.group(3) or ""
        unit = unit.upper() if unit in ("k", "kB") else unit  # SI's kilo is lower-case; "M" is never minutes
        unit = unit if unit == "%" or MULTIPLE.fullmatch(unit) or unit.lower() in TIME_UNITS \
            else ("%" if unit.lower() == "percent" else "")
        shown = match.group(0) if unit else f"{match.group(1)} {match.group(2)}"
        found.append(Stated(shown, _number(match.group(2)), unit))
        spans.append(match.span())
    for match in PERCENT.finditer(text):
        if not any(start <= match.start() < end for start, end in spans):
            found.append(Stated(match.group(0), _number(match.group(1)), "%", alone=True))
    return found


def holds(text: str) -> dict[str, float]:
    """Every `for <duration>` the text states, as written, and its seconds."""
    text = TEMPLATE.sub(" ", text)
    return {match.group(0): float(match.group(1)) * TIME_UNITS[match.group(2)[0]] for match in HOLD.finditer(text)}


def _rounds_to(value: float, candidate: float, decimals: int) -> bool:
    """The stated value is the candidate as the text rounds it (90 for 90, 33% for 0.333, 0.14 for 0.144)."""
    if math.isclose(value, candidate, rel_tol=1e-6, abs_tol=1e-9):
        return True
    return abs(value - candidate) <= 0.5 * 10 ** -decimals + 1e-9 and (value != 0 or candidate == 0)


def _candidates(number: Stated, rule: RuleNumbers) -> set[float]:
    """What the text may write for the rule's numbers, in the number's unit."""
    if number.unit == "%":  # the threshold, a ratio as percent, and their complements (95% used, 5% free)
        shown = rule.thresholds | {t * 100 for t in rule.thresholds}
        return shown | {100 - value for value in shown}
    if MULTIPLE.fullmatch(number.unit):  # bytes or a count: in SI or IEC multiples, or the threshold as written
        power = BYTE_POWERS[number.unit[0]]
        scales = (1000 ** power, 1024 ** power)
        return rule.thresholds | {value / scale for value in rule.thresholds for scale in scales}
    if number.unit.lower() in TIME_UNITS:  # a threshold in seconds or in the unit written, the `for`, a range
        scale = TIME_UNITS[number.unit.lower()]
        return rule.thresholds | {value / scale for value in rule.thresholds | rule.durations}
    # a plain number: the threshold, a ratio as a count of 100, or a count's next integer (`> 4` is "at least 5")
    whole = number.value.is_integer()
    counts = {t + step for t in rule.thresholds if whole and t.is_integer() for step in (-1, 1)}
    return rule.thresholds | {t * 100 for t in rule.thresholds} | counts


def agrees(number: Stated, rule: RuleNumbers) -> bool:
    """The stated number is one of the rule's, in its unit and as rounded in the text."""
    return any(_rounds_to(number.value, candidate, number.decimals()) for candidate in _candidates(number, rule))
