"""What each server of stacks/docker-compose.yml reads, resolved through its volume mounts to the checkout.

A service's configuration names paths as its container sees them (`/etc/prometheus/rules/*.yml`,
`/etc/alertmanager/templates/obsgen.tmpl`, Grafana's provisioning and dashboards directories, Loki's rules
directory...). Each is resolved through the service's `volumes`: a bind mount from out/ must hold it, a named volume
is filled by the server at run time, a bind mount from outside git (stacks/secrets/) is the operator's to fill, and
a path under no mount at all is missing (the image has no obsgen files).
"""

from __future__ import annotations

import configparser
import glob
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from tests.gitops.helpers import ROOT

STACKS = ROOT / "stacks"
COMPOSE = STACKS / "docker-compose.yml"
NOT_IN_GIT = (STACKS / "secrets",)
"""Bind-mount sources the operator fills (README: the compose stack): stacks/.gitignore keeps them out of git."""


@dataclass(frozen=True)
class Reference:
    """A path a service's configuration names, as its container sees it."""

    service: str
    path: PurePosixPath
    why: str  # the flag or setting naming it
    pattern: bool = False  # a glob, which must match a file
    directory: bool = False


@dataclass(frozen=True)
class Resolved:
    """Where a reference lands: a host path (a bind mount), a named volume, or nothing mounted."""

    reference: Reference
    host: Path | None
    volume: str | None

    @property
    def operator_file(self) -> PurePosixPath | None:
        """The path under a bind mount the operator fills (stacks/secrets/...), relative to its source."""
        for source in NOT_IN_GIT:
            if self.host is not None and self.host.is_relative_to(source):
                return PurePosixPath(self.host.relative_to(source).as_posix())
        return None


def compose_document() -> dict[str, Any]:
    """stacks/docker-compose.yml."""
    return dict(yaml.safe_load(COMPOSE.read_text()))


def resolve(service: dict[str, Any], reference: Reference, base: Path = STACKS) -> Resolved:
    """The mount whose target is the longest prefix of the reference's path decides where it lands."""
    best: tuple[int, Path | None, str | None] = (-1, None, None)
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        target_path = PurePosixPath(target)
        if reference.path != target_path and target_path not in reference.path.parents:
            continue
        if len(target_path.parts) <= best[0]:
            continue
        rest = reference.path.relative_to(target_path)
        if source.startswith((".", "/")):
            best = (len(target_path.parts), (base / source / rest).resolve(), None)
        else:
            best = (len(target_path.parts), None, source)
    return Resolved(reference, best[1], best[2])


def problem(resolved: Resolved) -> str | None:
    """Why the reference does not hold in the checkout, or None."""
    reference, host = resolved.reference, resolved.host
    said = f"{reference.service}: {reference.path} ({reference.why})"
    if resolved.volume is not None or resolved.operator_file is not None:
        return None
    if host is None:
        return f"{said} is under no volume mount: the image holds no such file"
    shown = host.relative_to(ROOT) if host.is_relative_to(ROOT) else host
    if reference.pattern:
        return None if any(Path(p).is_file() for p in glob.glob(str(host))) else f"{said}: {shown} matches no file"
    if reference.directory:
        return None if host.is_dir() else f"{said}: {shown} is no directory"
    return None if host.is_file() else f"{said}: {shown} is no file"


def _flag(command: list[str] | str, *names: str) -> str:
    """The value of the first of `names` (`--config.file=...`, `-config.file=...` or `--config X`) in a command."""
    words = command.split() if isinstance(command, str) else command
    for index, word in enumerate(words):
        for name in names:
            if word.startswith(f"{name}="):
                return word.split("=", 1)[1]
            if word == name:
                return words[index + 1]
    raise AssertionError(f"none of {names} in {words}")


def _text(service: dict[str, Any], reference: Reference, base: Path) -> str:
    """The text of the configuration file a reference names; empty when it is missing (its problem says so)."""
    host = resolve(service, reference, base).host
    return host.read_text() if host is not None and host.is_file() else ""


def _file_settings(document: Any) -> Iterator[tuple[str, str]]:
    """Every `*_file` setting of a configuration, at any depth (credentials, passwords, routing keys)."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and re.fullmatch(r"\w+_file", str(key)):
                yield str(key), value
            else:
                yield from _file_settings(value)
    elif isinstance(document, list):
        for item in document:
            yield from _file_settings(item)


def references(compose: dict[str, Any], base: Path = STACKS) -> Iterator[tuple[dict[str, Any], Reference]]:
    """Each path the servers' configurations name, read from the files the mounts give them."""
    services = compose["services"]
    for name, service in services.items():
        command = service.get("command", [])
        if name == "prometheus" or name.startswith("alertmanager"):
            config = Reference(name, PurePosixPath(_flag(command, "--config.file")), "--config.file")
            yield service, config
            document = yaml.safe_load(_text(service, config, base)) or {}
            key = "rule_files" if name == "prometheus" else "templates"
            for pattern in document.get(key) or []:
                yield service, Reference(name, config.path.parent / pattern, key, pattern=True)
            for setting, path in _file_settings(document):
                yield service, Reference(name, config.path.parent / path, setting)
        elif name == "grafana":
            ini = Reference(name, PurePosixPath("/etc/grafana/grafana.ini"), "the image's default config file")
            yield service, ini
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(_text(service, ini, base))
            provisioning = PurePosixPath(parser.get("paths", "provisioning", fallback="/etc/grafana/provisioning"))
            yield service, Reference(name, provisioning, "grafana.ini [paths] provisioning", directory=True)
            dashboards = Reference(name, provisioning / "dashboards/*.yml", "dashboard providers", pattern=True)
            yield service, dashboards
            for provider_file in glob.glob(str(resolve(service, dashboards, base).host)):
                for provider in yaml.safe_load(Path(provider_file).read_text())["providers"]:
                    folders = PurePosixPath(provider["options"]["path"])
                    yield service, Reference(name, folders / "*/*.json", f"provider {provider['name']}", pattern=True)
            yield service, Reference(name, provisioning / "datasources/*.yml", "data sources", pattern=True)
        elif name == "loki":
            config = Reference(name, PurePosixPath(_flag(command, "-config.file")), "-config.file")
            yield service, config
            ruler = (yaml.safe_load(_text(service, config, base)) or {}).get("ruler")
            if ruler:
                rules = PurePosixPath(ruler["storage"]["local"]["directory"])
                yield service, Reference(name, rules / "*/*.yaml", "ruler.storage.local.directory", pattern=True)
        elif name == "tempo":
            yield service, Reference(name, PurePosixPath(_flag(command, "-config.file")), "-config.file")
        elif name == "otel-collector":
            config = Reference(name, PurePosixPath(_flag(command, "--config")), "--config")
            yield service, config
            document = yaml.safe_load(_text(service, config, base)) or {}
            storage = document.get("extensions", {}).get("file_storage", {}).get("directory")
            if storage:
                yield service, Reference(name, PurePosixPath(storage), "file_storage.directory", directory=True)
            for receiver, settings in document.get("receivers", {}).items():
                for pattern in (settings or {}).get("include", []) if receiver.startswith("file_log") else []:
                    yield service, Reference(name, PurePosixPath(pattern), f"{receiver} include", pattern=True)
        elif name == "obsgen-exporter":
            yield service, Reference(name, PurePosixPath(_flag(command, "--config")), "--config")


def problems(compose: dict[str, Any], base: Path = STACKS) -> list[str]:
    """Every reference that does not hold, one line each."""
    said = (problem(resolve(service, reference, base)) for service, reference in references(compose, base))
    return [line for line in said if line is not None]


def operator_files(compose: dict[str, Any]) -> set[PurePosixPath]:
    """The files the configurations name under a mount the operator fills (the channels' credentials)."""
    found = (resolve(service, reference).operator_file for service, reference in references(compose))
    return {path for path in found if path is not None}


@dataclass(frozen=True)
class Mount:
    """One entry of a service's `volumes`: a bind mount (a host source) or a named volume."""

    source: str
    target: PurePosixPath
    read_only: bool

    @property
    def bind(self) -> bool:
        return self.source.startswith((".", "/"))


def mounts(service: dict[str, Any]) -> list[Mount]:
    """A service's volumes, short (`src:dst:ro,rslave`) or long (`{source, target, read_only}`) syntax."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found.append(Mount(str(volume.get("source", "")), PurePosixPath(volume["target"]),
                               bool(volume.get("read_only"))))
        else:
            source, target, *options = volume.split(":")
            found.append(Mount(source, PurePosixPath(target), "ro" in ",".join(options).split(",")))
    return found


def nested_in_read_only(compose: dict[str, Any], base: Path = STACKS) -> list[str]:
    """Each mount whose destination lies under another mount of its service marked read-only, whose source does
    not already hold that path: the runtime mounts the parent first and must then create the mount point through
    it, which the read-only mount refuses (runc: "mkdir ...: read-only file system"), so the container never
    starts. A named volume's content is unknown here, so a mount under a read-only named volume is refused too."""
    found = []
    for name, service in compose["services"].items():
        every = mounts(service)
        for child in every:
            for parent in every:
                if not parent.read_only or parent.target not in child.target.parents:
                    continue
                rest = child.target.relative_to(parent.target)
                held = parent.bind and (base / parent.source / rest).exists()
                if not held:
                    found.append(f"{name}: {child.target} is mounted inside the read-only mount of {parent.source} "
                                 f"at {parent.target}, which holds no {rest}: the runtime cannot create the mount "
                                 "point")
    return found


def read_only_volumes(compose: dict[str, Any]) -> dict[str, set[tuple[str, PurePosixPath]]]:
    """Named volumes every service of the stack mounts read-only, with who mounts them where: nothing in the stack
    writes them, so they stay empty unless a container from outside it (the application) does."""
    found: dict[str, set[tuple[str, PurePosixPath]]] = {}
    written = set()
    for name, service in compose["services"].items():
        for mount in mounts(service):
            if mount.bind:
                continue
            if mount.read_only:
                found.setdefault(mount.source, set()).add((name, mount.target))
            else:
                written.add(mount.source)
    return {volume: readers for volume, readers in found.items() if volume not in written}


def readme_compose_section() -> str:
    """The README's "The compose stack" section, which tells the operator what the stack needs from outside it."""
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("### The compose stack"):].split("\n## ", 1)[0]
