"""Stable identities derived from names, never from counters or time."""

import hashlib
import re
from typing import Annotated

from pydantic import AfterValidator

MAX_UID = 40  # Grafana's limit on dashboard uids
GRAFANA_UID = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_UID}}}$")
"""A uid Grafana accepts; never a path separator or '..', so a file named after it stays in its directory."""
FILE_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _file_stem(name: str) -> str:
    if not FILE_STEM.match(name):
        raise ValueError(f"{name!r} names a file under out/: use letters, digits, '_', '.' and '-', starting with a "
                         "letter or digit")
    return name


FileStem = Annotated[str, AfterValidator(_file_stem)]
"""A name that becomes a file name under out/: no separator, never '..', so it cannot reach outside."""


def slug(name: str) -> str:
    """lower-kebab-case of a name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def dashboard_uid(name: str) -> str:
    """Grafana uid of a dashboard: its slug, shortened with a hash suffix when too long."""
    uid = slug(name)
    if len(uid) <= MAX_UID:
        return uid
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{uid[: MAX_UID - 9]}-{digest}"


def receiver_name(channels: tuple[str, ...]) -> str:
    """Alertmanager receiver for a set of channels (names are snake_case, so "-" separates them)."""
    return "-".join(channels) if channels else "null"


def panel_id(title: str) -> int:
    """Grafana panel id from a panel's title: stable across rebuilds and reorderings, unique per dashboard."""
    return int(hashlib.sha256(slug(title).encode()).hexdigest()[:5], 16) + 1
