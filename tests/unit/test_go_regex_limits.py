"""Go's limits on a regex's parse tree (regexp/syntax, go_regex_limits): a tree deeper than 1000 is refused as
`expression nests too deeply`, a program over 3,355,443 instructions as `expression too large`, through every entry
point, in time linear in the pattern and without recursion. C++ RE2 took `(` * 100000 + `a` + `)` * 100000, which Go
refuses (a million: 4.8 s, 130 MiB)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.checks.trace_coverage import coverage
from generator.core.go_regex import compile_go, re2_pattern
from generator.core.label_matchers import label_matcher
from generator.core.logql import LogQLError, parse
from generator.core.selector_regex import label_matches
from generator.model import Service, TracingPolicy
from generator.model.tracing import Endpoint
from tests.linear_time import LINEAR, growth
from tests.unit.test_alert_routing import needs_amtool
from tests.unit.test_go_regex import _config
from tests.unit.test_go_regex_linear import sampling_config


def _nested(n: int) -> str:
    return "(" * n + "a" + ")" * n


DEEP = _nested(20000)
NESTS = "error parsing regexp: expression nests too deeply: `"
LARGE = "error parsing regexp: expression too large: `"
OBSGEN = "error parsing regexp: obsgen cannot read it: "


ENTRIES: dict[str, Callable[[str], object]] = {
    "alertmanager matcher": lambda pattern: label_matcher("v", "=~", pattern, "0.25.0"),
    "promql selector": lambda pattern: label_matches("=~", pattern, "a"),
    "logql selector": lambda pattern: parse(f'{{job="a", v=~"{pattern}"}}'),
    "logql line filter": lambda pattern: parse(f'{{job="a"}} |~ "{pattern}"'),
    "go regex": compile_go,
}


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=list(ENTRIES))
@pytest.mark.parametrize(("pattern", "said"), [(DEEP, NESTS), ("a{1000}" * 3356, LARGE)], ids=["deep", "large"])
def test_a_regex_over_gos_limits_is_refused_in_gos_words(entry: Callable[[str], object], pattern: str,
                                                         said: str) -> None:
    with pytest.raises((ValueError, LogQLError), match=re.escape(said)):
        entry(pattern)


def test_the_collectors_sampling_regex_is_refused_in_gos_words() -> None:
    endpoint = Endpoint(route="/a", requests_per_second=1, critical=True)
    with pytest.raises(ValueError, match=re.escape(NESTS)):
        coverage(TracingPolicy(default_ratio=0.1), [Service(name="s", endpoints=(endpoint,))], sampling_config(DEEP))


def _refused(pattern: str) -> None:
    with pytest.raises(ValueError, match=re.escape(NESTS)):
        compile_go(pattern)


def test_a_deep_regex_is_refused_in_linear_time() -> None:
    assert growth(_refused, lambda n: _nested(n + 1000), 200) < LINEAR


GO_TOO_LARGE = "(a{2,1000})" * 1678  # 1000 + 998 + 2 each (calcSize): 3,356,000; * 1677 (3,354,000) is Go's


@pytest.mark.parametrize(("pattern", "refused"), [
    (_nested(999), None), (_nested(1000), NESTS),  # a literal under 999 (1000) captures: 1000 (1001) high
    ("(?:" * 5000 + "a" + ")" * 5000, None),  # a group that does not capture is no node
    ("(?:a|b)" * 2000, None), ("a{1000}" * 3356, LARGE),  # 1000 instructions each: Go takes 3355
    ("(a{2,1000})" * 1677, OBSGEN), (GO_TOO_LARGE, LARGE),  # Go takes 1677 (amtool), RE2 would never end
    ("(x|y(z|w)*)" * 2000, None),
])
def test_gos_limits_are_counted_as_go_counts_them(pattern: str, refused: str | None) -> None:
    # re2_pattern reads the pattern as Go does and counts its tree, without compiling it in RE2 (which would take
    # hours on what Go takes and obsgen refuses)
    if refused is None:
        re2_pattern(pattern)
    else:
        with pytest.raises(ValueError, match=re.escape(refused)):
            re2_pattern(pattern)


@needs_amtool
@pytest.mark.parametrize(("pattern", "refused", "obsgen"), [
    (_nested(998), None, None), (_nested(999), "expression nests too deeply", NESTS),  # ^(?:...)$: one more level
    ("a{1000}" * 3356, "regexp/syntax: internal error", LARGE),  # Go 1.19's words for too large
    (GO_TOO_LARGE, "regexp/syntax: internal error", LARGE),
    # amtool takes a{1000} * 3355 and (a{2,1000}) * 1677, but in 8 s and 3 s (Go's compile of 3,355,000
    # instructions): not run here (tests/unit/test_go_regex_re2_bounds.py refuses both in obsgen's words)
], ids=["998 deep", "999 deep", "3356 repeats", "1678 ranges"])
def test_alertmanager_refuses_what_is_refused(tmp_path: Path, pattern: str, refused: str | None,
                                              obsgen: str | None) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(_config((pattern,))))
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert (checked.returncode != 0) == (refused is not None)
    if refused is not None:
        assert f"error parsing regexp: {refused}" in checked.stdout + checked.stderr
    if obsgen is None:
        label_matcher("v", "=~", pattern, "0.25.0")
    else:  # Go's words where Go refuses it, obsgen's where Go takes what RE2 cannot compile quickly
        with pytest.raises(ValueError, match=re.escape(obsgen)):
            label_matcher("v", "=~", pattern, "0.25.0")
