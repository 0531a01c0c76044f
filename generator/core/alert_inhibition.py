"""Alertmanager's inhibit_rules applied to alerts, as its inhibitor does (inhibit/inhibit.go, Mutes and inhibits).

A rule mutes a target (an alert its target matchers match) while a source fires: an alert its source matchers
match whose `equal` labels have the target's values, a label either lacks being the empty string. An alert the
target matchers match as well as the source ones never mutes a target that also matches both sides: so an alert
never mutes itself, and alerts of one class do not mute each other. Matchers are `source_matchers` /
`target_matchers` and the older `source_match(_re)` / `target_match(_re)` maps, as routes take them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.core.alert_routing import route_matches


@dataclass(frozen=True)
class InhibitRule:
    """One entry of an alertmanager.yml's inhibit_rules."""

    rule: Mapping[str, Any]

    @classmethod
    def parse(cls, rule: object) -> InhibitRule:
        """ValueError when the rule is not a mapping with matchers Alertmanager reads."""
        if not isinstance(rule, dict) or not isinstance(rule.get("equal") or [], list):
            raise ValueError(f"inhibit rule {rule!r} is not a mapping with a list of equal labels")
        made = cls(rule)
        try:  # a matcher that is not `name op value`, or a bad regex, fails here rather than mid-ledger
            made.source({}), made.target({})
        except re.error as error:
            raise ValueError(f"inhibit rule {rule!r} has a regex that does not compile: {error}") from None
        return made

    def source(self, labels: Mapping[str, str]) -> bool:
        """Whether the rule's source matchers match the labels."""
        return _side(self.rule, "source_", labels)

    def target(self, labels: Mapping[str, str]) -> bool:
        """Whether the rule's target matchers match the labels."""
        return _side(self.rule, "target_", labels)

    def mutes(self, source: Mapping[str, str], target: Mapping[str, str]) -> bool:
        """Whether `source`, firing, mutes `target` by this rule."""
        if not (self.target(target) and self.source(source)):
            return False
        if any(source.get(name, "") != target.get(name, "") for name in self.rule.get("equal") or ()):
            return False
        return not (self.source(target) and self.target(source))  # inhibit.go's excludeTwoSidedMatch


def _side(rule: Mapping[str, Any], side: str, labels: Mapping[str, str]) -> bool:
    return route_matches({key.removeprefix(side): rule[key] for key in (f"{side}matchers", f"{side}match",
                                                                        f"{side}match_re") if key in rule}, labels)


def mutes(rules: list[InhibitRule], source: Mapping[str, str], target: Mapping[str, str]) -> bool:
    """Whether `source`, firing, mutes `target` by any of the rules."""
    return any(rule.mutes(source, target) for rule in rules)
