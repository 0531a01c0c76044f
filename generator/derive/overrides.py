"""AlertOverrides applied to the RuleSets they name: thresholds, `for`, severities changed, alerts disabled."""

from __future__ import annotations

from generator.core.errors import DefinitionError
from generator.core.thresholds import replace_threshold
from generator.core.wording import counted
from generator.model import AlertOverride, Definition, ImportedAlert, RuleSet


def _targets(rule: ImportedAlert, override: AlertOverride) -> bool:
    return rule.name == override.alert and override.match_labels.items() <= rule.labels.items()


def _changed(rule: ImportedAlert, override: AlertOverride) -> ImportedAlert:
    update: dict[str, object] = {}
    if override.threshold is not None:
        try:
            update["expr"] = replace_threshold(rule.expr, override.threshold, override.current_threshold)
        except ValueError as error:
            raise DefinitionError(override.location, f"cannot change the threshold of {rule.name}: {error}") from None
    if override.for_ is not None:
        update["for_"] = override.for_
    if override.severity is not None:
        update["labels"] = {**rule.labels, "severity": override.severity}
    return rule.model_copy(update=update)


def _missing(rule_set: RuleSet, override: AlertOverride) -> DefinitionError:
    names = sorted({rule.name for rule in rule_set.alerts()})
    if override.alert in names:
        return DefinitionError(override.location, f"no {override.alert} alert of rule set {rule_set.name} has labels "
                                                  f"{override.match_labels}")
    import difflib  # (only an override naming no alert needs it)

    close = difflib.get_close_matches(override.alert, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; it has {counted(len(names), 'alert')} (obsgen list)"
    return DefinitionError(override.location, f"rule set {rule_set.name} has no alert {override.alert!r}{hint}")


def apply_override(rule_set: RuleSet, override: AlertOverride) -> RuleSet:
    """The rule set with one override applied; DefinitionError if it names no alert of the set."""
    matched = 0
    groups = []
    for group in rule_set.groups:
        rules = []
        for rule in group.rules:
            if isinstance(rule, ImportedAlert) and _targets(rule, override):
                matched += 1
                if override.disable:
                    continue
                rule = _changed(rule, override)
            rules.append(rule)
        if rules:
            groups.append(group.model_copy(update={"rules": tuple(rules)}))
    if not matched:
        raise _missing(rule_set, override)
    return rule_set.model_copy(update={"groups": tuple(groups)})


def apply_overrides(objects: list[Definition]) -> tuple[list[Definition], list[DefinitionError]]:
    """The objects with every RuleSet replaced by what its overrides, in definition order, make of it, and the
    overrides that match nothing (left unapplied). Of two rule sets of one name the first is kept (a duplicate)."""
    originals: dict[str, RuleSet] = {}
    for rule_set in (obj for obj in objects if isinstance(obj, RuleSet)):
        originals.setdefault(rule_set.name, rule_set)
    rule_sets = dict(originals)
    overrides = [obj for obj in objects if isinstance(obj, AlertOverride)]
    if not overrides:
        return objects, []
    failed = []
    for override in overrides:
        if override.rule_set not in rule_sets:
            known = sorted(rule_sets)
            import difflib

            close = difflib.get_close_matches(override.rule_set, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"defined: {', '.join(known) or 'none'}"
            failed.append(DefinitionError(override.location, f"unknown rule set {override.rule_set!r}; {hint}"))
            continue
        try:
            rule_sets[override.rule_set] = apply_override(rule_sets[override.rule_set], override)
        except DefinitionError as error:
            failed.append(error)
    return [rule_sets[obj.name] if isinstance(obj, RuleSet) and originals[obj.name] is obj else obj
            for obj in objects], failed
