"""Writing imported rule sets into definitions/: one module per file, checked to rebuild the same rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import DefinitionError, Location
from generator.importer.pysource import module_source
from generator.importer.rulefiles import ImportedRules, kebab, read_rules, with_external_series
from generator.model import RuleSet
from generator.project import load


@dataclass
class ImportReport:
    """Modules written, rule counts and the notes (warnings) of the import."""

    modules: list[Path] = field(default_factory=list)
    groups: int = 0
    alerts: int = 0
    records: int = 0
    notes: list[str] = field(default_factory=list)


def module_name(path: Path) -> str:
    """definitions module for a rule file: nodeExporter-prometheusRule.yaml -> node_exporter_prometheus_rule."""
    name = kebab(path.stem).replace("-", "_")
    return name if name[:1].isalpha() else f"rules_{name}"


def _round_trips(source: str, rule_sets: list[RuleSet], where: Path) -> None:
    """The written module, executed, declares exactly the rule sets that were read."""
    namespace: dict[str, object] = {}
    exec(compile(source, str(where), "exec"), namespace)  # our own generated code, checked before it is written
    declared = [value.model_dump() for value in namespace.values() if isinstance(value, RuleSet)]
    if declared != [rule_set.model_dump() for rule_set in rule_sets]:
        raise DefinitionError(Location(str(where), 0), "internal error: the module written does not rebuild the rules")


def import_rule_files(paths: list[Path], definitions: Path, module: str = "", force: bool = False) -> ImportReport:
    """Write one definitions module per rule file; nothing is written unless definitions/ then loads."""
    if module and len(paths) != 1:
        raise DefinitionError(Location(str(definitions), 0), "--module names the module of a single imported file")
    imported: list[ImportedRules] = [read_rules(path) for path in paths]
    with_external_series(imported)
    report = ImportReport()
    sources: dict[Path, str] = {}
    for item in imported:
        if not item.rule_sets:
            report.notes += [f"{item.path}: {note}" for note in item.notes]
            continue
        target = definitions / f"{module or module_name(item.path)}.py"
        if (target.exists() and not force) or target in sources:
            raise DefinitionError(Location(str(target), 0), "module exists: choose --module or pass --force")
        sources[target] = module_source(item.rule_sets, str(item.path), item.notes)
        _round_trips(sources[target], item.rule_sets, target)
        report.notes += [f"{item.path}: {note}" for note in item.notes]
        for rule_set in item.rule_sets:
            report.groups += len(rule_set.groups)
            report.alerts += len(rule_set.alerts())
            report.records += len(rule_set.records())
    previous = {target: target.read_text() for target in sources if target.exists()}
    for target, text in sources.items():
        target.write_text(text)
    try:
        load(definitions)
    except DefinitionError as error:
        for target in sources:
            if target in previous:
                target.write_text(previous[target])
            else:
                target.unlink()
        raise DefinitionError(error.location, f"{error.message} (nothing imported: definitions/ would not load; "
                                              "an AlertOverride of the new rule set may be written before importing)"
                              ) from None
    report.modules = sorted(sources)
    return report
