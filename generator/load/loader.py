"""Import every module of definitions/, collect the model objects, expand them and link them into a Project."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from pydantic import ValidationError

from generator.core.errors import UNKNOWN, DefinitionError, Location
from generator.derive.aggregation import expand
from generator.derive.overrides import apply_overrides
from generator.derive.slo.dashboard import slo_dashboards
from generator.derive.slo.rules import expand as expand_slo
from generator.load.adopt import adopt
from generator.model import AggregationPolicy, AlertingConfig, Definition, RecordingRule, Stack
from generator.model.project import Project, Warning
from generator.model.slo import SLO

D = TypeVar("D", bound=Definition)

def _definitions_frame(tb: Any, root: Path) -> Location:
    """The innermost traceback frame inside the definitions directory."""
    found = UNKNOWN
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename).resolve().is_relative_to(root):
            found = Location(frame.filename, frame.lineno or 0)
    return found


def _describe(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        errors = error.errors()
        first = errors[0]
        field_errors = [e for e in errors if e["loc"][:1] == first["loc"][:1]]
        where = str(first["loc"][0]) if first["loc"] else ""
        if len(field_errors) > 1:  # a union field: say what was given and every form it accepts
            accepted = ", or ".join(dict.fromkeys(e["msg"] for e in field_errors))
            message = f"got {first['input']!r} ({type(first['input']).__name__}); {accepted}"
        else:
            message = ".".join(str(p) for p in first["loc"][1:] if not isinstance(p, int))
            message = (message + ": " if message else "") + first["msg"].removeprefix("Value error, ")
        more = len(errors) - len(field_errors)
        suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        return f"{error.title}{': ' + where if where else ''}: {message}{suffix}"
    if isinstance(error, SyntaxError):
        return f"Python syntax error: {error.msg}"
    return f"{type(error).__name__}: {error}"


def _import_all(root: Path) -> Iterator[ModuleType]:
    """Import each module of the definitions package, under a name that is forgotten afterwards."""
    package = root.name
    saved = {name: mod for name, mod in sys.modules.items() if name == package or name.startswith(package + ".")}
    for name in saved:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(package, root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[package] = pkg
    try:
        if (root / "__init__.py").exists():
            spec.loader.exec_module(pkg)
        for path in sorted(root.glob("*.py")):
            if path.name == "__init__.py":
                continue
            name = f"{package}.{path.stem}"
            try:
                yield sys.modules.get(name) or importlib.import_module(name)
            except DefinitionError:
                raise
            except Exception as error:
                location = _definitions_frame(error.__traceback__, root)
                if isinstance(error, SyntaxError) and error.filename:
                    location = Location(error.filename, error.lineno or 0)
                raise DefinitionError(location, _describe(error)) from None
    finally:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


def _collect(value: Any, seen: dict[int, Definition], depth: int = 0) -> None:
    if isinstance(value, Definition):
        seen.setdefault(id(value), value)
    elif depth < 3 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, seen, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            _collect(item, seen, depth + 1)


def _single(objects: list[Definition], kind: type[D], root: Path) -> D:
    found = [obj for obj in objects if isinstance(obj, kind)]
    if len(found) != 1:
        where = found[1].location if len(found) > 1 else Location(str(root), 0)
        raise DefinitionError(where, f"exactly one {kind.__name__} must be defined, found {len(found)}")
    return found[0]


def load(definitions_dir: Path) -> Project:
    """Import every module under definitions_dir and return the linked Project (DefinitionError if not)."""
    root = definitions_dir.resolve()
    if not root.is_dir():
        raise DefinitionError(Location(str(definitions_dir), 0), "definitions directory does not exist")
    seen: dict[int, Definition] = {}
    for module in _import_all(root):
        for name, value in vars(module).items():
            if not name.startswith("_"):
                _collect(adopt(value, module, name), seen)
    objects = sorted(seen.values(), key=lambda obj: obj.location)
    warnings: list[Warning] = []
    rules: dict[str, RecordingRule] = {}
    for obj in objects:
        if isinstance(obj, AggregationPolicy):
            expanded, notes = expand(obj)
            warnings.extend(Warning(obj.location, note) for note in notes)
            objects.extend(expanded)
        elif isinstance(obj, SLO):
            slo_rules, slo_alerts = expand_slo(obj)
            objects.extend([*slo_rules, *slo_alerts])
    objects.extend(slo_dashboards(objects))
    objects = apply_overrides(objects)
    for rule in (obj for obj in objects if isinstance(obj, RecordingRule)):
        if rule.name in rules:
            first = rules[rule.name].location
            raise DefinitionError(rule.location, f"recording rule {rule.name} is already defined at {first}")
        rules[rule.name] = rule
    project = Project(
        root=root,
        stack=_single(objects, Stack, root),
        alerting=_single(objects, AlertingConfig, root),
        objects=tuple(objects),
        recording_rules=rules,
        warnings=warnings,
    )
    return project
