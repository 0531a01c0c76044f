"""Importing definitions/ so that one mistake costs one statement: every problem of every module is found in one run.

Each module first runs as Python runs it (bytecode cached). If it fails, it runs again one top-level statement
at a time in a fresh namespace: a failing statement is reported and what it would have defined is remembered as
unresolved, so a later statement or module that needs it is not reported again, and the checks do not call a
name unknown when its definition is what failed.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from pydantic import ValidationError

from generator.core.errors import Level, Location, Problem
from generator.core.sealed_file import read_sealed, write_sealed
from generator.core.source_state import state
from generator.load.codes import INVALID_VALUE, PYTHON_ERROR
from generator.load.locate import call_at, field_line
from generator.load.warm import WarmModules
from generator.model.base import Definition

FAMILY_SUFFIXES = ("_bucket", "_sum", "_count", "_created")
"""What a metric family's series add to its name (histograms and summaries)."""


@dataclass
class Unresolved:
    """What failed statements would have defined: names of definitions by kind, and module variables."""

    names: dict[str, set[str]] = field(default_factory=dict)
    """Definition class name -> names given to it in failed statements."""
    kinds: set[str] = field(default_factory=set)
    """Definition classes constructed in a failed statement without a literal name."""
    variables: dict[str, set[str]] = field(default_factory=dict)
    """Module -> variables its failed statements would have assigned."""
    modules: set[str] = field(default_factory=set)
    """Modules that could not run at all (a syntax error): anything may be missing."""

    def covers(self, kind: type[Definition], name: str) -> bool:
        """Whether a definition of this kind and name may be missing only because its statement failed."""
        if self.modules:
            return True
        kinds = {cls.__name__ for cls in kind.__mro__ if issubclass(cls, Definition)} | {
            cls.__name__ for cls in _subclasses(kind)}
        # a histogram or summary family's series (x_bucket, x_sum, x_count) are read by names its Metric lacks
        names = {name} | {name.removesuffix(suffix) for suffix in FAMILY_SUFFIXES if name.endswith(suffix)}
        return bool(kinds & self.kinds) or any(n in self.names.get(k, ()) for k in kinds for n in names)

    def any_of(self, kind: type[Definition]) -> bool:
        """Whether a failed statement may have defined an object of this kind."""
        if self.modules:
            return True
        kinds = {kind.__name__} | {cls.__name__ for cls in _subclasses(kind)}
        return bool(kinds & (self.kinds | set(self.names)))


def _subclasses(kind: type[Any]) -> Iterator[type[Any]]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def definition_classes() -> dict[str, type[Definition]]:
    """Every model class users construct, by name."""
    return {cls.__name__: cls for cls in _subclasses(Definition)}


def _func_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _assigned(statement: ast.stmt) -> set[str]:
    """Module variables a top-level statement would assign."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    targets = (statement.targets if isinstance(statement, ast.Assign)
               else [statement.target] if isinstance(statement, ast.AnnAssign | ast.AugAssign) else [])
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


def _describe_fields(errors: Sequence[Any], title: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """One message per field of a validation error (a union field's alternatives said together)."""
    by_field: dict[tuple[str | int, ...], list[Any]] = {}
    for error in errors:
        by_field.setdefault(tuple(error["loc"][:1]), []).append(error)
    for where, field_errors in by_field.items():
        first = field_errors[0]
        name = str(where[0]) if where else ""
        if len(field_errors) > 1:  # a union field: say what was given and every form it accepts
            accepted = ", or ".join(dict.fromkeys(e["msg"] for e in field_errors))
            message = f"got {first['input']!r} ({type(first['input']).__name__}); {accepted}"
        else:
            inner = ".".join(str(p) for p in first["loc"][1:] if not isinstance(p, int))
            message = (inner + ": " if inner else "") + first["msg"].removeprefix("Value error, ")
            if first["type"] == "tuple_type" and isinstance(first["input"], str):  # ("service") is a string
                message += f", not the string {first['input']!r}: a tuple of one needs a comma, ({first['input']!r},)"
        yield tuple(first["loc"]), f"{title}{': ' + name if name else ''}: {message}"


def describe(error: BaseException) -> str:
    """One line saying what an exception raised by a definition means (the first field of a validation error)."""
    if isinstance(error, ValidationError):
        return next(_describe_fields(error.errors(), error.title))[1]
    if isinstance(error, SyntaxError):
        return f"Python syntax error: {error.msg}"
    if isinstance(error, SystemExit):
        return f"the module calls sys.exit({error.code!r}); a definitions module must only define objects"
    if isinstance(error, AttributeError) and error.name and isinstance(error.obj, type) and issubclass(error.obj, Enum):
        return _no_member(error.obj, error.name)
    if isinstance(error, ImportError) and (error.name or "").startswith("generator.") and error.name in sys.modules:
        return _not_in_module(error, sys.modules[error.name])
    return f"{type(error).__name__}: {error}"


ROUTING_WORDS = frozenset({"Route", "Routes", "Receiver", "Matcher", "Matchers", "Team", "Router", "RoutingRule"})
"""What a user of Alertmanager looks for to route by label: obsgen routes by severity and channel instead."""


def _not_in_module(error: ImportError, module: ModuleType) -> str:
    """`from generator.model import Dashbaord` or `Route`: Python names no close name, nor how obsgen routes."""
    import difflib  # only for a failed definition, as in _no_member

    wanted = str(error).split("'")[1] if str(error).startswith("cannot import name '") else ""
    if not wanted:
        return f"{type(error).__name__}: {error}"
    said = f"{error.name} has no {wanted}"
    if wanted in ROUTING_WORDS:
        return (f"{said}: obsgen writes Alertmanager's routes itself, from who each alert tells: its severity's "
                "channels (Severity.channels) and its own (Alert.channels), and a label of the alert's routes nothing; "
                "for a team's alerts to reach its channels alone, give the team severities of its own and name them "
                "in its alerts and SLOs (docs/configuration.md, AlertingConfig, Smtp and Severity)")
    names = [name for name in vars(module) if not name.startswith("_")]
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.8)
    hint = f"did you mean {close[0]}?" if close else "docs/configuration.md shows each type it has"
    return f"{said}; {hint}"


def _no_member(enum: type[Enum], name: str) -> str:
    """`Source.EXPORTER`: Python says only "AttributeError: EXPORTER"; this names the enum and lists its members."""
    import difflib  # only for a failed definition: a build loads no difflib (tests/speed/test_cli_imports)

    members = list(enum.__members__)
    close = difflib.get_close_matches(name, members, n=1, cutoff=0.8)  # a typo, not any member sharing a word
    hint = f"; did you mean {enum.__name__}.{close[0]}?" if close else ""
    listed = ", ".join(f"{member} ({enum[member].value!r})" for member in members)
    return f"{enum.__name__} has no member {name}{hint} ({enum.__name__}'s members: {listed})"


class _Importer(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and runs the modules of one definitions package, recording their problems instead of raising."""

    def __init__(self, root: Path, warm: WarmModules | None) -> None:
        self.root = root
        self.warm = warm
        self.package = root.name
        self.problems: list[Problem] = []
        self.unresolved = Unresolved()
        self._classes = definition_classes()
        self._running: list[str] = []
        """Modules being executed, outermost first: one importing a module still running is an import cycle."""

    # -- import machinery ---------------------------------------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.package and not fullname.startswith(self.package + "."):
            return None
        relative = Path(*fullname.split(".")[1:])
        directory = self.root / relative
        if directory.is_dir():
            init = directory / "__init__.py"
            if init.exists():
                return importlib.util.spec_from_file_location(fullname, init, loader=self,
                                                              submodule_search_locations=[str(directory)])
            spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)  # a folder of modules
            spec.submodule_search_locations = [str(directory)]
            return spec
        source = (self.root / relative).with_suffix(".py")
        return importlib.util.spec_from_file_location(fullname, source, loader=self) if source.is_file() else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        path = Path(str(module.__spec__.origin)) if module.__spec__ and module.__spec__.origin else None
        if path is None or not path.is_file():
            return  # a directory without __init__.py: a namespace of modules
        module.__file__ = str(path)
        file_state = state(str(path))
        try:
            code = compiled(path)
        except (SyntaxError, ValueError, UnicodeDecodeError) as error:
            line = getattr(error, "lineno", None) or 1
            if b"\0" in path.read_bytes():  # Python calls it a syntax error, but the file's encoding is at fault
                what = "not UTF-8 Python source: it holds NUL bytes (saved as UTF-16 or UTF-32?); save it as UTF-8"
            elif isinstance(error, UnicodeDecodeError | ValueError):
                what = f"not UTF-8 Python source ({error})"
            else:
                what = describe(error)
            self._report(Location(str(path), line), PYTHON_ERROR, what)
            self.unresolved.modules.add(module.__name__)
            return
        namespace = dict(module.__dict__)
        self._running.append(module.__name__)
        try:
            exec(code, module.__dict__)
        except KeyboardInterrupt:
            raise
        except BaseException:
            module.__dict__.clear()
            module.__dict__.update(namespace)
            self._run_statements(module, path)
            return
        finally:
            self._running.pop()
        if self.warm is not None:
            self.warm.remember(module.__name__, module, file_state, code)

    # -- recovery ------------------------------------------------------------------------------------------
    def _run_statements(self, module: ModuleType, path: Path) -> None:
        tree = ast.parse(path.read_bytes(), str(path))
        failed: set[str] = self.unresolved.variables.setdefault(module.__name__, set())
        for statement in tree.body:
            code = compile(ast.Module(body=[statement], type_ignores=[]), str(path), "exec", dont_inherit=True)
            try:
                exec(code, module.__dict__)
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                if not self._follows_earlier_failure(error):
                    self._report_error(error, statement, path)
                failed |= _assigned(statement)
                self._remember(statement)

    def _follows_earlier_failure(self, error: BaseException) -> bool:
        """A NameError or ImportError for a variable a failed statement would have defined: said already."""
        if isinstance(error, NameError) and error.name:
            return any(error.name in names for names in self.unresolved.variables.values())
        if isinstance(error, ImportError) and error.name:
            module = error.name
            names = self.unresolved.variables.get(module, set())
            return module in self.unresolved.modules or any(f"'{name}'" in str(error) for name in names)
        return False

    def _remember(self, statement: ast.stmt) -> None:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and _func_name(node) in self._classes:
                kind = _func_name(node)
                name = next((k.value for k in node.keywords if k.arg == "name"), None)
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    self.unresolved.names.setdefault(kind, set()).add(name.value)
                else:
                    self.unresolved.kinds.add(kind)

    def _report(self, location: Location, code: str, message: str) -> None:
        self.problems.append(Problem(location, code, Level.ERROR, message))

    def _report_error(self, error: BaseException, statement: ast.stmt, path: Path) -> None:
        frame = _innermost_frame(error, self.root)
        line = frame[2] if frame else statement.lineno
        location = Location(frame[0].co_filename if frame else str(path), line)
        if isinstance(error, ValidationError):
            call = call_at(frame[0], frame[1]) if frame else None
            for field_path, message in _describe_fields(error.errors(), error.title):
                where = Location(location.file, field_line(call, field_path)) if call else location
                self._report(where, INVALID_VALUE, message)
            return
        if isinstance(error, SyntaxError) and error.filename:
            location = Location(error.filename, error.lineno or 0)
        self._report(location, PYTHON_ERROR, self._import_cycle(error) or describe(error))

    def _import_cycle(self, error: BaseException) -> str | None:
        """What an ImportError or AttributeError raised by reading a module that is still running means."""
        target = (error.name if isinstance(error, ImportError)
                  else error.obj.__name__ if isinstance(error, AttributeError) and isinstance(error.obj, ModuleType)
                  else None)
        if target not in self._running:
            return None
        chain = [*self._running[self._running.index(target):], target]
        what = f"{error.name!r} of {target}" if isinstance(error, AttributeError) else f"from {target}"
        return (f"circular import: {' -> '.join(chain)} (each imports the next); {chain[-2]} reads {what} "
                f"before that module has run to its end, so what it defines further down is not there yet; move "
                f"what both need into a module of its own that imports neither")


def _innermost_frame(error: BaseException, root: Path) -> tuple[Any, int, int] | None:
    """The code, instruction and line of the innermost traceback frame inside the definitions directory."""
    found = None
    tb = error.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(root):
            found = (tb.tb_frame.f_code, tb.tb_lasti, tb.tb_lineno)
        tb = tb.tb_next
    return found


def module_names(root: Path) -> list[str]:
    """Every module of the definitions package, subpackages included, in path order."""
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if any(part.startswith((".", "__")) and part != "__init__" for part in parts):
            continue
        names.append(".".join([root.name, *(parts[:-1] if parts[-1] == "__init__" else parts)]))
    return list(dict.fromkeys(names))


@dataclass
class Imported:
    """The modules of definitions/ as far as they ran, with the problems met on the way."""

    modules: list[ModuleType]
    problems: list[Problem]
    unresolved: Unresolved


def import_definitions(root: Path, warm: WarmModules | None = None) -> Imported:
    """Run every module of the package at root, under names forgotten afterwards (with warm: only those that
    changed since its last import, or depend on one that did)."""
    importer = _Importer(root, warm)
    package = root.name
    saved = {name: mod for name, mod in sys.modules.items() if name == package or name.startswith(package + ".")}
    for name in saved:
        del sys.modules[name]
    names = module_names(root)
    sys.modules.update(warm.reusable(root, names) if warm is not None else {})
    sys.meta_path.insert(0, importer)
    modules = []
    try:
        for name in names:
            try:
                modules.append(sys.modules.get(name) or importlib.import_module(name))
            except ImportError as error:  # a package whose __init__ failed to define what a submodule needs
                importer.problems.append(Problem(Location(str(root), 0), PYTHON_ERROR, Level.ERROR, describe(error)))
    finally:
        sys.meta_path.remove(importer)
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
    if warm is not None:
        warm.clean = not importer.problems and importer.unresolved == Unresolved()
        warm.ran = {name: ran for name, ran in warm.ran.items() if name in names}
    return Imported(modules, importer.problems, importer.unresolved)


CODE_LIMIT = 64 * 2**20
"""Largest cached code read: a file planted past it is not read whole into memory."""


def code_cache_path(path: Path) -> Path:
    """Where a module's code is kept: its __pycache__, under a name of obsgen's own (not a .pyc), so that Python's
    importer, which trusts a .pyc whose header holds its source's hash, never reads a file obsgen wrote or one
    planted in its place."""
    return path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.obsgen-code"


def compiled(path: Path) -> CodeType:
    """The module's code, from `__pycache__` when it was compiled from these very bytes by this user's obsgen.
    The cache is keyed by the source's hash and the interpreter's bytecode magic (an edit of the same size saved
    within the second the cache was written is still seen, which the usual mtime-and-size check misses), and
    sealed by this user's key (core/sealed_file.py): a cache committed to the project (definitions/__pycache__ is
    as writable as definitions/), whatever source hash it claims, is not run; the reviewed source is compiled."""
    source = path.read_bytes()
    header = importlib.util.MAGIC_NUMBER + importlib.util.source_hash(source)
    cached = code_cache_path(path)
    data = read_sealed(cached, CODE_LIMIT)  # (a FIFO planted there is not waited on)
    if data is not None and data[:len(header)] == header:
        try:
            code = marshal.loads(data[len(header):])
            # a cache copied along with its folder names the old place; definitions are located by this one
            if isinstance(code, CodeType) and code.co_filename == str(path):
                return code
        except (ValueError, EOFError, TypeError):
            pass  # not ours: compile
    code = compile(source, str(path), "exec", dont_inherit=True)
    if not sys.dont_write_bytecode:
        write_sealed(cached, header + marshal.dumps(code))  # a read-only tree only costs time
    return code
