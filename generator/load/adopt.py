"""Foreign objects found in definitions/ (grafanalib dashboards) adopted into the model by the loader."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.core.errors import DefinitionError, Location
from generator.load.locate import module_assignments


def adopt(value: Any, module: ModuleType, name: str) -> Any:
    """A grafanalib Dashboard converted into a model Dashboard; any other value unchanged."""
    kind = type(value)
    if not (kind.__module__.startswith("grafanalib") and kind.__name__ == "Dashboard"):
        return value
    from grafanalib._gen import DashboardEncoder  # type: ignore[import-untyped]  # optional extra, imported on use

    from generator.interop.grafana_json import from_grafana_json  # it renders with targets, which load projects

    data = json.loads(json.dumps(value.to_json_data(), cls=DashboardEncoder))
    path = Path(str(module.__file__))
    location = Location(str(path), module_assignments(path).get(name, 1))
    try:
        return from_grafana_json(data, location, folder="grafanalib")
    except ValueError as error:  # pydantic's ValidationError included
        first = str(error).splitlines()
        raise DefinitionError(location, f"grafanalib dashboard {name}: {' '.join(first[:3])}") from None
