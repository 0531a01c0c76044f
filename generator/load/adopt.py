"""Foreign objects found in definitions/ (grafanalib dashboards) adopted into the model by the loader."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.core.errors import DefinitionError, Location


def _assignment_line(path: Path, name: str) -> int:
    """The line where a module-level name is assigned (1 if it cannot be found)."""
    for node in ast.parse(path.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno
    return 1


def adopt(value: Any, module: ModuleType, name: str) -> Any:
    """A grafanalib Dashboard converted into a model Dashboard; any other value unchanged."""
    kind = type(value)
    if not (kind.__module__.startswith("grafanalib") and kind.__name__ == "Dashboard"):
        return value
    from grafanalib._gen import DashboardEncoder  # type: ignore[import-untyped]  # optional extra, imported on use

    from generator.interop.grafana_json import from_grafana_json  # it renders with targets, which load projects

    data = json.loads(json.dumps(value.to_json_data(), cls=DashboardEncoder))
    path = Path(str(module.__file__))
    location = Location(str(path), _assignment_line(path, name))
    try:
        return from_grafana_json(data, location, folder="grafanalib")
    except ValueError as error:  # pydantic's ValidationError included
        first = str(error).splitlines()
        raise DefinitionError(location, f"grafanalib dashboard {name}: {' '.join(first[:3])}") from None
