"""The obsgen-exporter image (stacks/Dockerfile) can run what compose asks of it: the exporter's extra installed, and
the volume it mounts owned by the user it runs as."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

from tests.gitops.compose_mounts import STACKS, compose_document, mounts, readme_compose_section

SERVICE = "obsgen-exporter"
EXTRAS = {"exporter": {"exporter", "postgresql"}}
"""The extras each subcommand run by the service needs: the exporter's own (numpy, SQLAlchemy, waitress; without it
`obsgen exporter` prints "needs its extra" and exits 1) and psycopg for a PostgreSQL DSN."""


def dockerfile() -> list[list[str]]:
    """The service's Dockerfile as instructions (continuation lines joined, comments dropped), each split in words."""
    build = compose_document()["services"][SERVICE]["build"]
    text = (STACKS / build["context"] / build["dockerfile"]).read_text()
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]
    return [shlex.split(line) for line in lines]


def installed_extras() -> set[str]:
    """The extras of the repository's package (`.[a,b]`) every `pip install` of the image installs."""
    found: set[str] = set()
    for words in dockerfile():
        if words[0] == "RUN" and "pip" in words and "install" in words:
            for word in words:
                if match := re.fullmatch(r"\.\[([\w,]+)\]", word):
                    found |= set(match.group(1).split(","))
    return found


def owned_directories() -> dict[PurePosixPath, str]:
    """Directories the image creates with an owner (`install -d -o U -g G path...`), as `U:G`."""
    found: dict[PurePosixPath, str] = {}
    for words in dockerfile():
        if words[0] == "RUN" and words[1:3] == ["install", "-d"]:
            options = dict(zip(words[3::2], words[4::2], strict=False))
            paths = [word for word in words[3:] if word.startswith("/")]
            found |= {PurePosixPath(path): f"{options.get('-o')}:{options.get('-g')}" for path in paths}
    return found


def test_the_image_installs_the_extras_of_the_command_compose_runs() -> None:
    command = compose_document()["services"][SERVICE]["command"]
    missing = EXTRAS[command[0]] - installed_extras()
    assert not missing, f"stacks/Dockerfile never installs obsgen[{','.join(sorted(missing))}]: `obsgen {command[0]}`"


def test_each_volume_the_exporter_mounts_is_a_directory_of_the_image_owned_by_its_user() -> None:
    """A named volume mounted where the image has no directory is created root-owned; the exporter (65534) could
    not write a demo database in it, nor could the operator copy one in as that user."""
    user = next(words[1] for words in dockerfile() if words[0] == "USER")
    owned = owned_directories()
    volumes = [mount for mount in mounts(compose_document()["services"][SERVICE]) if not mount.bind]
    assert volumes
    for mount in volumes:
        assert owned.get(mount.target) == user, (
            f"{mount.source} is mounted at {mount.target}, which stacks/Dockerfile never creates owned by {user}")


def test_the_readme_says_where_the_exporter_s_database_comes_from_and_no_password_is_in_compose() -> None:
    """The default DSN names a file on an empty volume: without the README the operator sees every business query
    fail and is not told which variable to set, nor how to keep the password out of compose."""
    section = " ".join(readme_compose_section().split())
    service = compose_document()["services"][SERVICE]
    for name, value in service["environment"].items():
        variable = re.fullmatch(r"\$\{(\w+):-(.+)\}", str(value))
        assert variable and variable.group(1) == name, f"{name} is not taken from the operator's environment"
        assert f"`{name}`" in section, f"the README never says {name}"
        default = variable.group(2)
        assert f"`{default}`" in section, f"the README never says {name}'s default, {default}"
        directory = PurePosixPath(default.removeprefix("sqlite:///")).parent
        volume = next(mount.source for mount in mounts(service) if mount.target == directory)
        assert f"`{volume}`" in section and f"`{directory}`" in section, f"the README never says {volume}"
    for phrase in ("no SQLite file", "a user that can only read", "PGPASSFILE", "0600"):
        assert phrase in section, f"the README's compose section never says {phrase!r}"
    for other, definition in compose_document()["services"].items():
        for name, value in dict(definition.get("environment") or {}).items():
            assert not re.search(r"://[^/@\s]*:[^/@\s]*@", str(value)), f"{other}: {name} holds a password"
