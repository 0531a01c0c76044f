"""The package's layers depend one way: the import graph, read from the source, has no cycle and points down."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("model",),
    ("derive",),
    ("library",),
    ("targets",),
    ("interop",),
    ("load",),
    ("checks",),
    ("package",),
    ("build",),
    ("replay",),
    ("importer", "analysis", "apply", "live", "exporter", "logging_json", "scaffold", "preview"),
    ("cli",),
    ("__main__",),
)
"""Bottom to top: a module imports only from its own layer or those below (packages of one layer not each other)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, name: str) -> set[str]:
    """Every generator module a file imports, at any depth of its code (inside functions too)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return {imported for imported in found if imported.split(".")[0] == "generator"}


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {i for i in imports(path, name) if i in modules and i != name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    return next((rank for rank, names in enumerate(LAYERS) if top in names), -1)


def test_generator_has_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_imports_point_down_the_layers() -> None:
    upward = []
    for module, targets in graph().items():
        if module == "generator":
            continue
        for target in targets:
            own, other = layer(module), layer(target)
            same_package = module.split(".")[1] == target.split(".")[1]
            if other > own or (other == own and not same_package and len(LAYERS[own]) > 1):
                upward.append(f"{module} -> {target}")
    assert sorted(upward) == []


def test_every_top_level_package_has_a_layer() -> None:
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    tops = packages | {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert sorted(top for top in tops if layer(f"generator.{top}") < 0) == []


def test_at_most_five_modules_beside_the_packages() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(loose) <= 5, loose
