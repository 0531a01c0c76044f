"""The environment a command's result may depend on, as obsgen's records key it (the build record, and the command
record of helps and build options: generator/cli/command_record.py).

Imports only os: the command record reads it before anything else loads.
"""

from __future__ import annotations

import os

SHELL_BOOKKEEPING = frozenset({"OLDPWD", "SHLVL", "_", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"})
"""Variables shells and make keep for themselves, which change from one command to the next (the previous
directory, the nesting depth, the last command, make's flags): not part of a key, so that `cd` or `make build`
does not miss a record. Every other variable is."""


def environment() -> list[tuple[str, str]]:
    """Every variable but the shell's and make's bookkeeping, sorted."""
    return sorted(item for item in os.environ.items() if item[0] not in SHELL_BOOKKEEPING)
