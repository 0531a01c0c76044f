"""`obsgen --help` stays instant: the CLI module imports no model, target or heavy library until a command runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.speed.project import node_exporter_project

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


def test_importing_the_models_builds_no_validator() -> None:
    # Each model builds its validator when first used (defer_build): one built at import (the SLOs' default burn
    # windows were) costs every process, SLOs or not, and reaches pydantic's plugin loader.
    code = ("import sys, generator.model as m\n"
            "print([k.__name__ for k in vars(m).values() if getattr(k, '__pydantic_complete__', False)],"
            " 'pydantic.plugin._loader' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["[]", "False"]


def test_an_slo_without_windows_gets_the_workbooks_four() -> None:
    from generator.model import SLOAlerting

    windows = SLOAlerting().windows
    assert [(w.urgency, w.long, w.short, w.factor("30d")) for w in windows] == [
        ("page", "1h", "5m", 14.4), ("page", "6h", "30m", 6.0),
        ("ticket", "1d", "2h", 3.0), ("ticket", "3d", "6h", 1.0)]
    assert SLOAlerting().windows is windows  # made once


def test_a_full_build_imports_neither_importlib_metadata_nor_difflib(tmp_path: Path) -> None:
    # pydantic's plugin loader imported importlib.metadata (email's parser with it) to find no plugin, the disk
    # caches' versions looked the distributions up through it, and the checks imported difflib for a misspelt name:
    # 10-20 ms of an after-edit build's process, for nothing.
    definitions = node_exporter_project(tmp_path, kubernetes=False)
    # (before main(), as main() keys it: why the second build's options are not replayed, when they are not)
    code = ("import os, sys\nfrom generator.cli.command_record import CommandRecord\n"
            "from generator.cli.entry import main\nos.environ.setdefault('PYDANTIC_DISABLE_PLUGINS', '__all__')\n"
            "why = CommandRecord(sys.argv[1:]).why_missed()\ntry:\n    main()\nexcept SystemExit as done:\n"
            "    print('EXIT', done.code, *sorted({'importlib.metadata', 'email', 'difflib', 'typer'}\n"
            "                                     & set(sys.modules)))\n    print('MISSED', why)")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    shown, missed = [], []
    for _ in range(2):  # the first through typer, which keeps the options; the second a full build without it
        (definitions / "__pycache__" / "obsgen-build.record").unlink(missing_ok=True)
        printed = subprocess.run([sys.executable, "-c", code, "build", "-q", "-d", str(definitions), "-o",
                                  str(tmp_path / "out")], capture_output=True, text=True, check=True,
                                 env=environment, cwd=tmp_path).stdout.split("EXIT")[1]
        shown.append(printed.split("MISSED")[0].split())
        missed.append(printed.split("MISSED")[1].strip())
    assert shown[1] == ["0"], f"the build's options were not replayed: {missed[1]}"
    assert (tmp_path / "out" / "prometheus" / "prometheus.yml").is_file()


def test_the_plugin_loader_answers_as_pydantics_once_plugins_are_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.core import pydantic_plugins

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    monkeypatch.delitem(sys.modules, pydantic_plugins.LOADER, raising=False)
    pydantic_plugins.install()
    assert sys.modules[pydantic_plugins.LOADER] is pydantic_plugins
    assert list(pydantic_plugins.get_plugins()) == []
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")
    assert list(pydantic_plugins.get_plugins()) == []  # pydantic's own loader: this environment has no plugin
    assert sys.modules[pydantic_plugins.LOADER] is not pydantic_plugins
    assert str(sys.modules[pydantic_plugins.LOADER].__file__).endswith("pydantic/plugin/_loader.py")
