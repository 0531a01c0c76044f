"""Files a server's configuration names by path (its *_file settings: Slack URLs, passwords, routing keys, CA
certificates), checked on the server before anything is copied.

Alertmanager loads a configuration without opening them: with the secrets missing, amtool passes, the reload
succeeds, the hash matches, and every notification then fails ("open /etc/alertmanager/secrets/slack/ops.url:
no such file or directory"). Prometheus opens some at reload and others only when it scrapes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import Any

from generator.apply.files import Store
from generator.apply.rules import document

SUFFIX = "_file"  # api_url_file, smtp_auth_password_file, credentials_file, ca_file...; not rule_files' globs


def _named(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{where}.{key}" if where else str(key)
            if str(key).endswith(SUFFIX) and isinstance(value, str) and value:
                yield child, value
            else:
                yield from _named(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _named(item, f"{where}[{index}]")


def named_files(config: bytes, name: str = "config") -> dict[str, str]:
    """Path -> the first setting naming it, for every *_file setting of a YAML configuration (one mapping, read as
    rules.document reads it, once: MalformedFile naming `name` when it is none)."""
    found: dict[str, str] = {}
    for setting, path in _named(document(name, config), ""):
        found.setdefault(path, setting)
    return found


def _problem(path: str, store: Store) -> str:
    local = store.local_path(path)
    if local is None:
        return ""
    try:
        status = local.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as error:
        return error.strerror or str(error)
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file"
    if not os.access(local, os.R_OK):
        return "is not readable"
    return "is empty" if status.st_size == 0 else ""


def unusable(config: bytes, store: Store, name: str = "config") -> list[str]:
    """What is wrong with each file the configuration names, as the server would resolve it (a relative path
    from its configuration directory); empty when all are there, or when the store's files are not on this
    machine (a remote reached by commands: obsgen cannot look)."""
    problems = []
    for path, setting in named_files(config, name).items():
        problem = _problem(path, store)
        if problem:
            problems.append(f"{path} ({setting}) {problem}")
    return problems
