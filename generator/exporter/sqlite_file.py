"""Why a SQLite database file cannot be opened, in the operator's terms.

SQLite says "unable to open database file" alike for a file that does not exist, a directory the exporter's user
cannot enter and a file it cannot read, without naming the file. The exporter opens the file read-only and never
creates it (sql.read_only_sqlite), so each of these leaves the business metrics down until the operator acts: the
message names the file, what is wrong with it, and where its URL comes from.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL

from generator.model import Database


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, plain or in the read-only URI form (`file:<quoted path>?mode=ro`); None otherwise."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    name = str(url.database)
    return Path(unquote(name.removeprefix("file:")) if url.query.get("uri") == "true" else name)


def url_source(database: Database) -> str:
    """What the operator changes to point the database elsewhere."""
    if database.dsn_env:
        return f"set {database.dsn_env} to the application's database"
    if database.dsn_file:
        return f"correct the URL in {database.dsn_file}"
    return f"correct the dsn of {database.location}"


def cannot_open(url: URL, database: Database, driver: str) -> str:
    """The reason a SQLite file cannot be opened: the file, what stops it, and the fix; the driver's reason with
    the file named when nothing on the file's side explains it (or the URL is not SQLite's, unchanged)."""
    path = sqlite_path(url)
    if path is None:
        return driver
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))  # O_NONBLOCK: a FIFO given by mistake does not block
    except FileNotFoundError:
        missing = "" if path.parent.is_dir() else f" (no directory {path.parent})"
        return (f"no SQLite file {path}{missing}: it is opened read-only, never created; {url_source(database)} "
                "or put that database there")
    except PermissionError as error:
        return (f"cannot read the SQLite file {path}: {error.strerror} for uid {os.geteuid()}; make it (and each "
                "directory above it) readable by that user")
    except OSError as error:  # a path through a file, a symlink loop
        return f"cannot open the SQLite file {path}: {error.strerror}; {url_source(database)}"
    if path.is_dir():  # read-only, os.open opens a directory as well
        return f"{path} is a directory, not a SQLite file; {url_source(database)}"
    return f"{driver} ({path})"
