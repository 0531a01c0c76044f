"""Go regexes from definitions and imported configs (Alertmanager matchers, Prometheus selectors, the Collector's
sampling policies) are matched in time linear in the text, through each public entry point: Python's backtracking re,
which matched them before, took time doubling per character on these (`(a+)+` on 21 characters: 0.07 s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from generator.checks.trace_coverage import coverage
from generator.core.label_matchers import label_matcher
from generator.core.selector_regex import label_matches
from generator.model import Service, TracingPolicy
from generator.model.tracing import TEMPO_EXPORTER, Endpoint
from tests.linear_time import LINEAR, growth

PATTERNS = ("(a+)+", "(a|a)*", "(a*)*b")
"""Nested repeats a backtracking engine tries every split of the text's run of a's with, when no match ends it."""


def _text(n: int) -> str:
    return "a" * n + "!"


def _linear(run: Callable[[str], object], text: Callable[[int], str] = _text) -> None:
    """Linear on short texts (3 against 21 characters: a backtracking run grows some 2 ** 18 times, and ends) and
    on long ones."""
    assert growth(run, text, n=2) < LINEAR
    assert growth(run, text) < LINEAR


@pytest.mark.parametrize("pattern", PATTERNS)
def test_an_alertmanager_matcher_runs_in_linear_time(pattern: str) -> None:
    matcher = label_matcher("v", "=~", pattern, "0.25.0")
    _linear(lambda text: matcher.holds({"v": text}))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_selector_regex_runs_in_linear_time(pattern: str) -> None:
    _linear(lambda text: label_matches("=~", pattern, text))


def sampling_config(pattern: str) -> dict[str, Any]:
    """A collector config whose one sampling policy keeps the routes the regex matches."""
    policy = {"name": "critical", "type": "string_attribute",
              "string_attribute": {"key": "http.route", "values": [pattern], "enabled_regex_matching": True}}
    return {"processors": {"tail_sampling": {"policies": [policy]}},
            "service": {"pipelines": {"traces": {"processors": ["tail_sampling"], "exporters": [TEMPO_EXPORTER]}}}}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_trace_coverage_check_runs_in_linear_time(pattern: str) -> None:
    config, policy = sampling_config(f"^/{pattern}$"), TracingPolicy(default_ratio=0.1)

    def run(route: str) -> object:
        endpoint = Endpoint(route=route, requests_per_second=1, critical=True)
        return coverage(policy, [Service(name="s", endpoints=(endpoint,))], config)

    _linear(run, lambda n: "/" + _text(n))
