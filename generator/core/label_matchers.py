"""The matchers of an alertmanager.yml's route, or of one side of an inhibit rule, read once as the Alertmanager
release that runs the file reads them, each regex compiled once.

A route's matchers are its `matchers` lines, each a list of matchers as that release reads it
(matcher_parse.release_matchers: the UTF-8 parser from 0.27.0), and the older `match` / `match_re` maps; an inhibit
rule's are the same keys prefixed `source_` or `target_`. A regex matches the whole label value (Alertmanager anchors
it, `^(?:value)$`), a label the alert lacks being the empty string. Alertmanager refuses a file with a line it cannot
read or a regex that does not compile when it loads it (config.Load); so does read_matchers, where the file is read,
rather than mid-analysis. A regex is read in Go's syntax, as Alertmanager reads it, and matched in time linear in the
value (generator.core.go_regex: RE2's \\z, \\pL, \\Q...\\E, (?U) taken; Python's look-arounds and backreferences
refused, with Go's words).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.core.go_regex import GoRegex, matcher_regex
from generator.core.matcher_parse import release_matchers


@dataclass(frozen=True)
class LabelMatcher:
    """One matcher, `name op "value"` (op one of =, !=, =~, !~), its regex compiled when it has one (anchored, as
    Alertmanager compiles it: go_regex.matcher_regex, searched)."""

    name: str
    op: str
    value: str
    pattern: GoRegex | None = None

    def holds(self, labels: Mapping[str, str]) -> bool:
        """Whether the matcher holds for an alert's labels (a label it lacks is the empty string)."""
        actual = labels.get(self.name, "")
        hit = self.pattern.matches(actual) if self.pattern is not None else actual == self.value
        return hit != self.op.startswith("!")


def label_matcher(name: str, op: str, value: str, release: str) -> LabelMatcher:
    """The matcher, its regex compiled as that Alertmanager release compiles it; ValueError naming the regex, with
    Go's words, when it would refuse it."""
    try:
        return LabelMatcher(name, op, value, matcher_regex(value, release) if "~" in op else None)
    except ValueError as error:
        raise ValueError(f"the regex {value!r} of {name}{op} does not compile: {error}") from None


def read_matchers(entry: Mapping[str, Any], release: str, side: str = "") -> tuple[LabelMatcher, ...]:
    """Every matcher of a route (side "") or of one side of an inhibit rule ("source_", "target_"), as Alertmanager
    `release` (X.Y.Z) reads them; ValueError, naming the key and the line or regex, when it would refuse them."""
    lines, match, match_re = (entry.get(f"{side}{key}") or kind() for key, kind in
                              (("matchers", list), ("match", dict), ("match_re", dict)))
    if not isinstance(lines, list) or not isinstance(match, dict) or not isinstance(match_re, dict):
        raise ValueError(f"{side}matchers must be a list, {side}match and {side}match_re mappings")
    found = []
    for line in lines:
        try:
            found += release_matchers(str(line), release)
        except ValueError as error:
            raise ValueError(f"{side}{error} (as Alertmanager {release} reads it)") from None
    found += [(str(name), "=", str(value)) for name, value in match.items()]
    found += [(str(name), "=~", str(value)) for name, value in match_re.items()]
    return tuple(label_matcher(*matcher, release) for matcher in found)


def all_hold(matchers: tuple[LabelMatcher, ...], labels: Mapping[str, str]) -> bool:
    """Whether every matcher holds for the labels (none: any labels)."""
    return all(matcher.holds(labels) for matcher in matchers)
