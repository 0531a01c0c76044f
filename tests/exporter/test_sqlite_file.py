"""A SQLite database the exporter cannot open is named in its log with the reason and the fix, and its database is
down on /metrics: the compose stack's empty obsgen-data volume (no file), a directory the exporter's user cannot
enter. SQLite's own "unable to open database file" named neither the file nor what was wrong with it."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from generator.exporter.sql import normalise_url, read_only_sqlite
from generator.exporter.sqlite_file import cannot_open
from generator.model import Database
from tests.exporter.conftest import one, running_exporter, shipped_config, write_config

QUERY = "shop_orders_total"


def first_failure(tmp_path: Path, url: str, wrapper: Sequence[str] = ()) -> str:
    """The exporter's logged failure of its first run of QUERY against `url`, once /metrics shows the database down."""
    config = shipped_config()
    config["queries"] = [query for query in config["queries"] if query["name"] == QUERY]
    config["forecasts"] = []
    path = write_config(tmp_path / "exporter.yml", config, interval="1h", stale_after="2h")
    with running_exporter(path, tmp_path, env={"SHOP_DATABASE_URL": url}, wrapper=wrapper) as exporter:
        series = exporter.wait_for(lambda s: exporter.runs(s, QUERY, "error") >= 1, 30, "a failed first run")
        assert one(series, "obsgen_database_up", database="shop") == 0
        failed = [line for line in exporter.log.read_text().splitlines() if f"{QUERY} failed" in line]
    assert failed
    return failed[0]


def test_a_missing_file_is_named_with_the_variable_to_set(tmp_path: Path) -> None:
    database = tmp_path / "volume" / "shop.db"  # an empty volume: the directory exists, the file does not
    database.parent.mkdir()
    line = first_failure(tmp_path, f"sqlite:///{database}")
    assert (f"database shop unreachable: no SQLite file {database}: it is opened read-only, never created; "
            "set SHOP_DATABASE_URL to the application's database") in line
    assert not database.exists()


def test_a_directory_the_exporter_cannot_enter_is_named_with_the_user(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "shop.db").write_bytes(b"")
    wrapper: list[str] = []
    if os.geteuid() == 0:  # root reads anything: the directory is another user's, and root runs without the override
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv cannot be kept out of a directory")
        os.chown(locked, 65534, 65534)
        wrapper = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    locked.chmod(0o700 if wrapper else 0)
    try:
        line = first_failure(tmp_path, f"sqlite:///{locked / 'shop.db'}", wrapper)
    finally:
        locked.chmod(0o700)
    assert (f"database shop unreachable: cannot read the SQLite file {locked / 'shop.db'}: Permission denied for "
            f"uid {os.geteuid()}; make it (and each directory above it) readable by that user") in line


def test_a_url_already_in_sqlites_uri_form_opens_its_file_read_only(tmp_path: Path) -> None:
    # the old tree quoted it again, file: and all: "unable to open database file", and the message named
    # "no SQLite file file:/.../a b.db (no directory file:/...)"
    database = tmp_path / "a b.db"
    with closing(sqlite3.connect(database)) as writer:
        writer.execute("CREATE TABLE orders (n INTEGER)")
        writer.execute("INSERT INTO orders VALUES (1)")
        writer.commit()
    for mode in ("ro", "rwc"):  # the exporter's mode is ro whatever the URL asks
        url = read_only_sqlite(normalise_url(f"sqlite:///file:{quote(str(database))}?mode={mode}&uri=true"))
        with create_engine(url).connect() as connection:
            assert connection.execute(text("SELECT n FROM orders")).scalar() == 1
            with pytest.raises(OperationalError, match="readonly database"):
                connection.execute(text("INSERT INTO orders VALUES (2)"))
    missing = normalise_url(f"sqlite:///file:{quote(str(tmp_path / 'gone.db'))}?mode=ro&uri=true")
    assert cannot_open(read_only_sqlite(missing), Database(name="shop", dsn_env="SHOP_DATABASE_URL"), "driver") \
        .startswith(f"no SQLite file {tmp_path / 'gone.db'}: it is opened read-only, never created")
