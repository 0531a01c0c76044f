"""Alertmanager's inhibit_rules applied to alerts, as its inhibitor does (inhibit/inhibit.go, Mutes and inhibits).

A rule mutes a target (an alert its target matchers match) while a source fires: an alert its source matchers
match whose `equal` labels have the target's values, a label either lacks being the empty string. An alert the
target matchers match as well as the source ones never mutes a target that also matches both sides: so an alert
never mutes itself, and alerts of one class do not mute each other. Matchers are `source_matchers` /
`target_matchers` and the older `source_match(_re)` / `target_match(_re)` maps, as routes take them, read once as
the Alertmanager release that runs the file reads them (generator.core.label_matchers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.core.label_matchers import LabelMatcher, all_hold, read_matchers


@dataclass(frozen=True)
class InhibitRule:
    """One entry of an alertmanager.yml's inhibit_rules, its matchers read."""

    sources: tuple[LabelMatcher, ...]
    targets: tuple[LabelMatcher, ...]
    equal: tuple[str, ...]

    @classmethod
    def parse(cls, rule: object, release: str) -> InhibitRule:
        """The rule as Alertmanager `release` (X.Y.Z) reads it; ValueError, naming the rule and what is wrong, when
        it is not a mapping with a list of equal labels and matchers that release reads (regexes that compile)."""
        if not isinstance(rule, dict) or not isinstance(rule.get("equal") or [], list):
            raise ValueError(f"inhibit rule {rule!r} is not a mapping with a list of equal labels")
        try:
            return cls(read_matchers(rule, release, "source_"), read_matchers(rule, release, "target_"),
                       tuple(str(name) for name in rule.get("equal") or ()))
        except ValueError as error:
            raise ValueError(f"inhibit rule {rule!r}: {error}") from None

    def source(self, labels: Mapping[str, str]) -> bool:
        """Whether the rule's source matchers match the labels."""
        return all_hold(self.sources, labels)

    def target(self, labels: Mapping[str, str]) -> bool:
        """Whether the rule's target matchers match the labels."""
        return all_hold(self.targets, labels)

    def mutes(self, source: Mapping[str, str], target: Mapping[str, str]) -> bool:
        """Whether `source`, firing, mutes `target` by this rule."""
        if not (self.target(target) and self.source(source)):
            return False
        if any(source.get(name, "") != target.get(name, "") for name in self.equal):
            return False
        return not (self.source(target) and self.target(source))  # inhibit.go's excludeTwoSidedMatch


def mutes(rules: list[InhibitRule], source: Mapping[str, str], target: Mapping[str, str]) -> bool:
    """Whether `source`, firing, mutes `target` by any of the rules."""
    return any(rule.mutes(source, target) for rule in rules)
