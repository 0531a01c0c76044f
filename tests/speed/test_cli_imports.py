"""`obsgen --help` stays instant: the CLI module imports no model, target or heavy library until a command runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("generator.model", "generator.model.project", "generator.targets", "generator.package.emit", "yaml", "jinja2",
         "promql_parser", "requests", "numpy")


def test_importing_the_cli_loads_nothing_a_command_does_not_need_yet() -> None:
    shown = subprocess.run([sys.executable, "-c", "import sys, generator.cli; print(*sys.modules, sep='\\n')"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert "generator.cli" in shown
    assert [name for name in shown if name.startswith(HEAVY)] == []


def test_help_lists_the_commands_without_loading_them() -> None:
    code = ("import sys; sys.argv = ['obsgen', '--help']\nfrom generator.cli import main\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nprint('MODULES', *sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "build" in shown and "import" in shown
    assert [name for name in shown.split("MODULES")[1].split() if name.startswith(HEAVY)] == []
