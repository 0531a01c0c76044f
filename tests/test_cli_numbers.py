"""Every number option of every command refuses nan, inf and what overflows to inf (1e400) as a usage error
(exit 2) before the command runs: click's float parses them, and its ranges let them through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from generator.cli.app import app
from generator.cli.options import CheckedOptions


def _commands(group: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(_commands(typer.main.get_command(app)))
FLOAT_OPTIONS = [(path, param.opts[0], [p.name or "" for p in command.params  # type: ignore[attr-defined]
                                        if p.param_type_name == "argument" and p.required])
                 for path, command in COMMANDS.items()
                 for param in command.params if param.param_type_name == "option"  # type: ignore[attr-defined]
                 and param.type.name.startswith("float")]  # float, float range


def test_every_command_checks_its_options_alike() -> None:
    assert FLOAT_OPTIONS, "no float option found: the walk is broken"
    assert {path for path, command in COMMANDS.items() if not isinstance(command, CheckedOptions)} == set()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "NaN"])
@pytest.mark.parametrize(("command", "option", "arguments"), FLOAT_OPTIONS,
                         ids=[f"{' '.join(path)} {option}" for path, option, _ in FLOAT_OPTIONS])
def test_a_number_that_is_not_finite_is_a_usage_error(command: tuple[str, ...], option: str, arguments: list[str],
                                                      value: str) -> None:
    result = CliRunner().invoke(app, [*command, f"{option}={value}", *(["x"] * len(arguments))])

    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert f"Invalid value for '{option}'" in result.stderr, result.stderr  # -inf below a range's min: the range's
    assert "is not a finite number" in result.stderr or "is not in the range" in result.stderr


def test_the_options_the_audit_named_are_among_them() -> None:
    named = {(" ".join(path), option) for path, option, _ in FLOAT_OPTIONS}
    assert {("build", "--time-scale"), ("latency", "--time-scale"), ("import", "--max-size"),
            ("apply", "--timeout")} <= named
