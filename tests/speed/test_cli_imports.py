"""`obsgen --help` stays instant: the CLI module imports no model, target or heavy library until a command runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("generator.model", "generator.model.project", "generator.targets", "generator.package.emit", "yaml", "jinja2",
         "promql_parser", "requests", "numpy")


def test_importing_the_cli_loads_nothing_a_command_does_not_need_yet() -> None:
    shown = subprocess.run([sys.executable, "-c", "import sys, generator.cli.app; print(*sys.modules, sep='\\n')"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert "generator.cli.app" in shown
    assert [name for name in shown if name.startswith(HEAVY)] == []


def test_help_lists_the_commands_without_loading_them() -> None:
    code = ("import sys; sys.argv = ['obsgen', '--help']\nfrom generator.cli.entry import main\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nprint('MODULES', *sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "build" in shown and "import" in shown
    assert [name for name in shown.split("MODULES")[1].split() if name.startswith(HEAVY)] == []


def test_list_loads_the_definitions_without_checks_targets_or_the_writer() -> None:
    code = ("import sys; sys.argv = ['obsgen', 'list', '--definitions', 'definitions']\n"
            "from generator.cli.entry import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('MODULES', *sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    listed, modules = shown.split("MODULES")
    assert "Stack " in listed and "Dashboard " in listed
    assert [name for name in modules.split() if name.startswith(("generator.checks", "generator.targets",
                                                                  "generator.package", "jinja2", "yaml"))] == []


def test_the_program_hands_what_a_command_built_to_the_exit_frozen() -> None:
    code = ("import gc, sys; sys.argv = ['obsgen', 'list', '--definitions', 'definitions']\n"
            "from generator.cli.entry import main\ntry:\n    main()\nexcept SystemExit as done:\n"
            "    print('EXIT', done.code, gc.get_freeze_count() > 0)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert shown.split("EXIT")[1].split() == ["0", "True"]  # the shutdown's collections skip the frozen heap
