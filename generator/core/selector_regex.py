"""A PromQL label matcher's regex as the Prometheus release that runs it reads it: Go's regexp (generator.core.go_regex,
as that release's Go reads it, matched by RE2 in time linear in the value), anchored as model/labels
NewFastRegexMatcher anchors it."""

from __future__ import annotations

from generator.core.go_regex import GoRegex, compile_go
from generator.core.releases import PROMETHEUS_GO_1_22, PROMETHEUS_VERSION, ordered

DOTALL_SINCE = (3, 0, 0)
"""The first Prometheus release whose selector regexes let `.` take a line feed: model/labels NewFastRegexMatcher
compiles `^(?s:re)$` from 3.0.0 (its migration guide: "`.` matches all characters including newlines"), `^(?:re)$`
before."""


def selector_regex(value: str, release: str = PROMETHEUS_VERSION) -> GoRegex:
    """A label matcher's regex as that Prometheus release compiles it: Go's regexp (go_regex), anchored, to search a
    label value with; ValueError with Go's words if Prometheus refuses it."""
    return compile_go(f"^(?{'s' if ordered(release) >= DOTALL_SINCE else ''}:{value})$",
                      ordered(release) >= ordered(PROMETHEUS_GO_1_22))


def label_matches(op: str, value: str, actual: str, release: str = PROMETHEUS_VERSION) -> bool:
    """Whether the label matcher `op "value"` (=, !=, =~, !~) holds for a label's value where that Prometheus
    release reads it (selector_regex; a caller that knows no Stack reads it as the release a Stack declares unless
    it says otherwise); ValueError for a regex Prometheus refuses."""
    hit = selector_regex(value, release).matches(actual) if "~" in op else actual == value
    return hit != op.startswith("!")
