"""Writing imported rules and dashboards into definitions/: one module per rule file and per dashboard, each
checked to rebuild exactly what was read; nothing is written unless definitions/ then loads."""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import load
from generator.core.errors import DefinitionError, Location
from generator.core.planted_links import replace_text
from generator.derive.dashboards import series_read
from generator.derive.series import SYNTHETIC_SERIES
from generator.importer import credentials
from generator.importer import dashboards as dashboard_files
from generator.importer.dashboards import ImportedDashboard, holds_dashboards, read_dashboards
from generator.importer.pysource import calls_at, module_source
from generator.importer.reading import MAX_BYTES, MAX_TOTAL_BYTES, Budget, error_line
from generator.importer.rulefiles import ImportedRules, kebab, read_rules, with_external_series, yaml_documents
from generator.model import Definition
from generator.package.tree import exchange

MODULE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass
class ImportReport:
    """Modules written, rule and dashboard counts, and the notes (warnings) of the import."""

    modules: list[Path] = field(default_factory=list)
    groups: int = 0
    alerts: int = 0
    records: int = 0
    dashboards: int = 0
    panels: int = 0
    notes: list[str] = field(default_factory=list)


def module_name(path: Path, stem: str = "") -> str:
    """definitions module for a rule file: nodeExporter-prometheusRule.yaml -> node_exporter_prometheus_rule."""
    name = kebab(stem or path.stem).replace("-", "_")
    return name if name[:1].isalpha() else f"rules_{name}"


def _round_trips(source: str, objects: list[Definition], where: Path) -> None:
    """The written module, executed, declares exactly the objects that were read."""
    namespace: dict[str, object] = {}
    exec(compile(source, str(where), "exec"), namespace)  # our own generated code, checked before it is written
    declared = [value.model_dump() for value in namespace.values() if isinstance(value, Definition)]
    if declared != [obj.model_dump() for obj in objects]:
        raise DefinitionError(Location(str(where), 0), "internal error: the module written does not rebuild "
                                                       "what was imported")


def shown_path(path: Path, definitions: Path) -> str:
    """How an imported module names its source: relative to the project (the directory holding definitions/) when
    the file is inside it, else by file name; never by the machine's absolute path."""
    try:
        return path.resolve().relative_to(definitions.resolve().parent).as_posix()
    except ValueError:
        return path.name


def unique_stems(paths: list[Path]) -> dict[Path, str]:
    """Each file's name without suffix, qualified by its directory where the batch repeats it (loki/alerts.yaml
    and postgres/alerts.yaml -> loki-alerts, postgres-alerts), so their modules and rule sets do not collide."""
    repeated = {stem for stem, count in Counter(path.stem for path in paths).items() if count > 1}
    return {path: f"{path.parent.name}-{path.stem}" if path.stem in repeated else path.stem for path in paths}


def _read(paths: list[Path], definitions: Path, folder: str,
          budget: Budget) -> tuple[list[ImportedRules], list[ImportedDashboard]]:
    """Rules and dashboards of every file: dashboard JSON, or YAML holding rules, dashboard ConfigMaps or both."""
    rules: list[ImportedRules] = []
    dashboards: list[ImportedDashboard] = []
    stems = unique_stems(paths)
    for path in paths:
        source, stem = shown_path(path, definitions), stems[path]
        if path.suffix.lower() == ".json":
            found = read_dashboards(path, folder=folder, source=source, stem=stem, budget=budget)
            if not found:
                raise DefinitionError(Location(str(path), 0), "cannot import: no Grafana dashboard in it (an object "
                                                              'with a title and panels or rows, or {"dashboard": ...})')
            dashboards += found
            continue
        try:
            documents = yaml_documents(path, budget)
        except (OSError, ValueError) as error:
            message = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise DefinitionError(Location(str(path), error_line(error)), f"cannot import: {message}") from None
        found = read_dashboards(path, documents, folder, source, budget=budget)
        dashboards += found
        rule_documents = [doc for doc in documents if not holds_dashboards(doc)]
        if rule_documents or not found:
            rules.append(read_rules(path, rule_documents, source, stem, budget))
    return rules, dashboards


def _with_external_series(rules: list[ImportedRules], dashboards: list[ImportedDashboard]) -> None:
    """Declare on each rule set and dashboard the series it reads that no rule set of the batch records."""
    with_external_series(rules)
    recorded = {record.name for item in rules for rule_set in item.rule_sets for record in rule_set.records()}
    for item in dashboards:
        external = tuple(sorted(series_read(item.dashboard) - recorded - SYNTHETIC_SERIES))
        item.dashboard = item.dashboard.model_copy(update={"external_series": external})


def _target(definitions: Path, name: str, taken: dict[Path, str], force: bool) -> Path:
    """definitions/<name>.py, for a name that is a module name (so it cannot reach outside definitions/)."""
    if not MODULE.fullmatch(name):
        raise DefinitionError(Location(str(definitions), 0), f"module name {name!r} is not lower_snake_case "
                                                             "(letters, digits, _; a letter first)")
    target = definitions / f"{name}.py"
    if (os.path.lexists(target) and not force) or target in taken:  # (a link to nothing is one too)
        raise DefinitionError(Location(str(target), 0), "module exists: choose --module or pass --force")
    return target


def _sources(rules: list[ImportedRules], dashboards: list[ImportedDashboard], definitions: Path, module: str,
             force: bool, report: ImportReport, max_bytes: int = MAX_BYTES,
             origins: dict[str, ImportedRules | ImportedDashboard] | None = None) -> dict[Path, str]:
    """The text of every module to write, each checked to rebuild what it declares and to hold no credential (the
    rule file or dashboard each module is written from recorded in `origins`, by module file name)."""
    sources: dict[Path, str] = {}
    origins = {} if origins is None else origins
    leaked: list[credentials.Credential] = []
    for item in rules:
        report.notes += [f"{item.path}{f':{line}' if line else ''}: {note}" for line, note in item.notes]
        if not item.rule_sets:
            continue
        target = _target(definitions, module or module_name(item.path, item.stem), sources, force)
        leaked += credentials.found(item.path, target, item.rule_sets)
        sources[target] = module_source(item.rule_sets, item.rule_sets[0].source, item.notes_written())
        origins[target.name] = item
        _round_trips(sources[target], list(item.rule_sets), target)
        for rule_set in item.rule_sets:
            report.groups += len(rule_set.groups)
            report.alerts += len(rule_set.alerts())
            report.records += len(rule_set.records())
    for dashboard in dashboards:
        report.notes += [f"{dashboard.path}{f':{line}' if (line := at or dashboard.line) else ''}: dashboard "
                         f"{dashboard.dashboard.name}: {note}" for at, note in dashboard.notes]
        target = _target(definitions, module or dashboard.module, sources, force)
        leaked += credentials.found(dashboard.path, target, [dashboard.dashboard])
        sources[target] = dashboard_files.module_source(dashboard)
        origins[target.name] = dashboard
        _round_trips(sources[target], [dashboard.dashboard], target)
        report.dashboards += 1
        report.panels += len(dashboard.dashboard.all_panels)
    credentials.refuse(leaked, max_bytes)
    return sources


def _source_line(error: DefinitionError, item: ImportedRules | ImportedDashboard | None,
                 sources: dict[Path, str]) -> Location | None:
    """Where in the file imported (`item`, the module's origin) the rule, panel, query or variable an error of a new
    module is about is written (at the field the error names: its expression's line for a bad expression), None when
    the error is about none."""
    where = Path(error.location.file)
    text = next((text for target, text in sources.items() if target.name == where.name), None)
    if item is None or text is None:
        return None
    line = item.line_at(calls_at(text, error.location.line, item.calls))
    return Location(str(item.path), line) if line else None


def _staged_load(sources: dict[Path, str], definitions: Path, workspace: Path,
                 origins: dict[str, ImportedRules | ImportedDashboard] | None = None) -> Path:
    """A copy of definitions/ with the new modules, loaded; DefinitionError if it fails, naming the file imported
    for an imported rule, panel or variable (the user fixes that one; `origins`: see _sources), else definitions/."""
    staged = workspace / definitions.name
    shutil.copytree(definitions, staged, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    for target, text in sources.items():
        replace_text(staged / target.name, text)  # a link replaced (--force), never written through
    try:
        load(staged)
    except DefinitionError as error:
        def mended(text: str) -> str:  # the copy is removed: name the project's files, the message's too
            return text.replace(str(staged), str(definitions))

        where = Location(mended(error.location.file), error.location.line)
        item = (origins or {}).get(Path(error.location.file).name) if Path(error.location.file).parent == staged \
            else None
        source = _source_line(error, item, sources)
        written = f"imported, it would be {where.file}:{where.line}; " if source is not None else ""
        remedy = "fix it in the file and import it again" if isinstance(item, ImportedDashboard) else \
            "an AlertOverride of the new rule set may be written before importing"
        raise DefinitionError(source or where, f"{mended(error.message)} ({written}nothing imported: definitions/ "
                                               f"would not load; {remedy})") from None
    return staged


def _move_in(sources: dict[Path, str], staged: Path, definitions: Path) -> None:
    """definitions/ becomes the staged copy in one step (renameat2), or module by module where unsupported."""
    try:
        exchange(staged, definitions)
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise
        for target in sources:
            (staged / target.name).replace(target)


def import_files(paths: list[Path], definitions: Path, module: str = "", force: bool = False,
                 folder: str = "", max_bytes: int = MAX_BYTES, max_total: int = MAX_TOTAL_BYTES) -> ImportReport:
    """Write one definitions module per rule file and per dashboard; nothing is written unless definitions/ loads.
    No file larger than max_bytes is read, nor more than max_total bytes from all of them.

    The modules are written into a copy of definitions/ beside it, which replaces definitions/ only once it
    loads: a failure or a kill at any moment leaves definitions/ as it was or with every module in."""
    rules, dashboards = _read(paths, definitions, folder, Budget(max_bytes, max_total))
    _with_external_series(rules, dashboards)
    if module and sum(1 for item in rules if item.rule_sets) + len(dashboards) != 1:
        raise DefinitionError(Location(str(definitions), 0), "--module names the module of a single imported rule "
                                                             "file or dashboard")
    report = ImportReport()
    root = definitions.resolve()
    if not root.is_dir():
        raise DefinitionError(Location(str(definitions), 0), "definitions directory does not exist")
    origins: dict[str, ImportedRules | ImportedDashboard] = {}
    sources = _sources(rules, dashboards, root, module, force, report, max_bytes, origins)
    for leftover in root.parent.glob(f".{root.name}.import-*"):  # of an import killed before it cleaned up
        shutil.rmtree(leftover, ignore_errors=True)
    workspace = Path(tempfile.mkdtemp(prefix=f".{root.name}.import-", dir=root.parent))
    try:
        _move_in(sources, _staged_load(sources, root, workspace, origins), root)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    report.modules = sorted(definitions / target.name for target in sources)
    return report
