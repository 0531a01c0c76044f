"""Grafana variables inside PromQL: $var, ${var}, ${var:format}, [[var]] and the $__ built-ins.

Prometheus never sees them: Grafana replaces them before sending a query. obsgen does the same, with
the values Grafana would use, before parsing a panel's query or running it in a test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from generator.core.duration import format_seconds
from generator.core.grafana_formats import Holding, VariableText, formatted_value
from generator.core.moment_format import moment_format

VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)(?::([^}]*))?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::([^\]]*))?\]\]")
RATE_INTERVAL = "__rate_interval"


class UnknownVariable(KeyError):
    """A query uses a variable the dashboard does not define."""


def variable_name(match: re.Match[str]) -> str:
    """The name of the variable a VARIABLE match found, in whichever of its forms ($name, ${name}, [[name]])."""
    return match.group(1) or match.group(3) or match.group(4)


def variable_names(text: str) -> set[str]:
    """The variables a text uses."""
    return {variable_name(match) for match in VARIABLE.finditer(text)}


def interpolate(expr: str, values: Mapping[str, str], default_format: str = "", keep_unknown: bool = False) -> str:
    """The expression with every variable replaced by its value, or by its value in the format written after its
    name (`${var:regex}`: grafana_formats), else in default_format when one is given (scenes' interpolate(..., format):
    a query variable's regex takes `regex`); UnknownVariable if one has none, or with keep_unknown that variable left
    as written (scenes' sceneInterpolator returns the match for a variable it does not find)."""

    def value(match: re.Match[str]) -> str:
        name = variable_name(match)
        if name not in values:
            if keep_unknown:
                return match.group()
            raise UnknownVariable(name)
        written = match.group(2) or match.group(5) or default_format
        return formatted_value(values[name], written) if written else values[name]

    return VARIABLE.sub(value, expr)


def builtin_values(range_seconds: float, step_seconds: float, scrape_seconds: float) -> dict[str, str]:
    """Grafana's $__ variables for a time range, query step and data source scrape interval."""
    rate = max(step_seconds + scrape_seconds, 4 * scrape_seconds)
    return {
        "__interval": format_seconds(step_seconds),
        "__interval_ms": str(int(step_seconds * 1000)),
        RATE_INTERVAL: format_seconds(rate),
        "__rate_interval_ms": str(int(rate * 1000)),
        "__range": format_seconds(range_seconds),
        "__range_s": str(int(range_seconds)),
        "__range_ms": str(int(range_seconds * 1000)),
    }


def time_values(start: float, end: float) -> dict[str, str]:
    """`$__from` and `$__to` over a range of epoch seconds: scenes' TimeFromAndToMacro, the range's ends in epoch
    milliseconds (moment's valueOf; `${__from:date:iso}` formats them, grafana_formats), their text (`:text`) the time
    in the browser's zone (UTC here)."""
    ends = {"__from": round(start * 1000), "__to": round(end * 1000)}
    return {name: VariableText(str(ms), Holding(name, str(ms), moment_format(ms, "YYYY-MM-DD HH:mm:ss")))
            for name, ms in ends.items()}


def grafana_step(range_seconds: float, max_data_points: int, min_interval_seconds: float) -> float:
    """The step Grafana picks: range / points, never below the data source's scrape interval, whole seconds."""
    return float(max(min_interval_seconds, math.ceil(range_seconds / max_data_points)))


# Values used when an expression is only parsed: any well-formed value will do.
PARSE_BUILTINS = builtin_values(range_seconds=3600, step_seconds=15, scrape_seconds=15)
