"""Business metrics by SQL: an engine per database, read-only runs with a timeout, a connection per run.

SQLite files are opened read-only (URI mode=ro) and afresh at each run: a missing file is an error, never
a new empty database, and a file deleted or replaced is noticed at the next run instead of being read
through a pooled handle on the old inode.

PostgreSQL is connected afresh at each run too: a connection per minute or so costs the server
milliseconds, and there is no pooled connection whose pre-ping could block on a server that stopped
answering, out of reach of any timeout. Every run is bounded on the client: connect_timeout for the
connection, then a watchdog that cuts the connection when the server has not even enforced the run's
statement_timeout (see interrupt.py), with TCP keepalives and tcp_user_timeout letting the kernel give
up on a host that vanished.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from generator.core.bounded_read import TooLarge, read_bounded
from generator.core.duration import parse_seconds
from generator.exporter.cache import Sample, labels_of
from generator.exporter.interrupt import STOPPING, UNANSWERED, RunInterrupt, watchdog
from generator.exporter.jobs import STOPPED, Job, JobFailed, JobTimeout, SourceDown, SourceNotAnswering, UpGauge
from generator.exporter.monotonic import Monotonic
from generator.exporter.sqlite_file import cannot_open
from generator.model import BusinessMetric, Database, MetricType

BIND_NOW = "now"
BIND_TODAY = "today"
DAY_SECONDS = 86_400


def bind_values(wall_time: float) -> dict[str, float]:
    """The values of the bind parameters a business metric's SQL may use at a run started at wall_time: :now, its
    Unix time, and :today, the Unix time of that day's start (00:00 UTC), for "since midnight" totals that SQLite
    and PostgreSQL would otherwise round differently."""
    return {BIND_NOW: wall_time, BIND_TODAY: float(int(wall_time // DAY_SECONDS) * DAY_SECONDS)}


POSTGRES_QUERY_CANCELED = "57014"
CHECK_CLIENT_MS = 1000  # PostgreSQL 14+: how often a backend running a query checks its client's socket is open
SQLITE_PROGRESS_OPS = 10_000  # SQLite VM instructions between two checks of the deadline
KEEPALIVE_PROBES = 3
AUTHORIZER_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in [
    "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE", "DROP_INDEX", "DROP_TABLE", "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "INSERT", "PRAGMA",
    "TRANSACTION", "UPDATE", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE", "CREATE_VTABLE", "DROP_VTABLE",
    "SAVEPOINT"]} | {sqlite3.SQLITE_ATTACH: "ATTACH or VACUUM INTO"}
"""SQLite's authorizer action codes by name, for the message of a refused query."""
SECRET_BYTES = 64 * 1024
"""Largest dsn_file or password_file read: a URL or a password is under a kilobyte; a path given by mistake (a
log, a device) is refused unread."""


def keepalives(timeout: float) -> dict[str, int]:
    """libpq's TCP keepalives for runs of `timeout` seconds: a host gone silent during a query (its network dropped,
    no FIN, no reset) is given up after idle + probes x interval seconds of silence, about half the timeout and 25 s
    at most, well before statement_timeout (which that host cannot enforce) and the watchdog's timeout +
    connect_timeout. A live server computing a long query answers the probes from its kernel."""
    idle = max(1, min(10, int(timeout // 5)))
    return {"keepalives": 1, "keepalives_idle": idle, "keepalives_interval": max(1, min(5, idle // 2)),
            "keepalives_count": KEEPALIVE_PROBES}


def resolve_url(database: Database) -> URL:
    """The SQLAlchemy URL of a database, read from its environment variable or file when referenced."""
    if database.dsn_env:
        raw = os.environ.get(database.dsn_env, "")
        if not raw:
            raise SourceDown(f"database {database.name}: environment variable {database.dsn_env} is not set")
    elif database.dsn_file:
        raw = _read_secret(database.dsn_file, database.name)
    else:
        raw = database.dsn
    try:
        url = normalise_url(raw)
    except ValueError as error:
        raise SourceDown(f"database {database.name}: {error}") from None
    if "@" in (url.host or ""):  # SQLAlchemy split the user part at the password's '@': the rest became the host
        raise SourceDown(f"database {database.name}: the DSN's host holds an '@': percent-encode the special "
                         "characters of its password ('@' as %40, ':' as %3A, '/' as %2F)")
    if database.password_file:
        url = url.set(password=_read_secret(database.password_file, database.name))
    return url


def normalise_url(raw: str) -> URL:
    """A SQLAlchemy URL for a supported database, with PostgreSQL on psycopg 3; ValueError otherwise."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ValueError("the DSN is not a SQLAlchemy URL") from None
    if url.drivername == "postgresql":  # SQLAlchemy would pick psycopg2; obsgen ships psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"{url.get_backend_name()} is not supported (sqlite, postgresql)")
    return url


def read_only_sqlite(url: URL) -> URL:
    """A SQLite file URL opened read-only through SQLite's URI form; other URLs unchanged. A URL already in that form
    (`sqlite:///file:/srv/shop.db?mode=ro&uri=true`) keeps its file, its mode made ro: quoted again, its `file:` would
    be part of the file's name."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return url
    if url.query.get("uri") == "true" and url.database.startswith("file:"):
        return url.update_query_dict({"mode": "ro"})
    return url.set(database=f"file:{quote(url.database)}", query={**url.query, "mode": "ro", "uri": "true"})


def _read_secret(path: str, name: str) -> str:
    try:
        return read_bounded(Path(path), SECRET_BYTES).decode("utf-8").strip()
    except OSError as error:
        raise SourceDown(f"database {name}: cannot read {path}: {error.strerror}") from None
    except TooLarge as error:
        raise SourceDown(f"database {name}: {path}: {error.size}, more than the {SECRET_BYTES // 1024} KiB a DSN or "
                         "password file holds") from None
    except UnicodeDecodeError:  # its text stays out of the message: it is a secret
        raise SourceDown(f"database {name}: {path} is not UTF-8 text") from None
    except ValueError as error:  # a FIFO, a device, a directory
        raise SourceDown(f"database {name}: {path}: {error}") from None


@dataclass
class Databases:
    """One engine per database and run timeout (its keepalives), created on first use and again after a failed
    creation; engines hold no connection (NullPool), so one per timeout costs nothing."""

    declared: Mapping[str, Database]
    _engines: dict[tuple[str, float], Engine] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def engine(self, name: str, timeout: float) -> Engine:
        """The engine of the database's runs of `timeout` seconds; SourceDown when its DSN cannot be resolved."""
        with self._lock:
            if (name, timeout) not in self._engines:
                database = self.declared[name]
                url = resolve_url(database)
                options: dict[str, Any] = (
                    # tcp_user_timeout: data the server's host has not acknowledged for connect_timeout means
                    # the host is gone (a live one acknowledges within a round trip, however slow the query)
                    {"connect_args": {"connect_timeout": database.connect_timeout, **keepalives(timeout),
                                      "tcp_user_timeout": database.connect_timeout * 1000}, "poolclass": NullPool}
                    if url.get_backend_name() == "postgresql"
                    else {"connect_args": {"timeout": database.connect_timeout}, "poolclass": NullPool}
                )
                try:
                    self._engines[name, timeout] = create_engine(read_only_sqlite(url), **options)
                except (NoSuchModuleError, ImportError) as error:
                    raise SourceDown(f"database {name}: no driver for {url.drivername} ({error}); for "
                                     "PostgreSQL install obsgen[postgresql]") from None
            return self._engines[name, timeout]

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


@contextmanager
def read_only(conn: Connection, timeout: float) -> Iterator[None]:
    """A read-only transaction whose statements are cancelled after `timeout` seconds."""
    with conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, round(timeout * 1000))}")
            _check_client(conn)
            yield
            return
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        deadline = time.monotonic() + timeout
        raw.execute("PRAGMA query_only = ON")
        raw.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)  # the connection is the run's alone (NullPool)
        guard = ReadGuard()
        raw.set_authorizer(guard)
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_PROGRESS_OPS)
        try:
            yield
        except DBAPIError:
            if guard.refused:
                raise JobFailed(f"refused {guard.refused}: a business query may only read (SELECT or WITH)") from None
            raise
        finally:
            raw.set_progress_handler(None, 0)
            raw.set_authorizer(None)
            raw.execute("PRAGMA query_only = OFF")


def _check_client(conn: Connection) -> None:
    """Have the server check its client is still there while it computes (PostgreSQL 14+): an exporter killed or
    cut off mid-query leaves no statement running for nobody until statement_timeout. In a savepoint: a server on
    a platform without the check (Windows) refuses any value but 0, and the run goes on without it."""
    if (conn.dialect.server_version_info or (0,)) < (14,):
        return
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"SET LOCAL client_connection_check_interval = {CHECK_CLIENT_MS}")
    except DBAPIError:
        pass


class ReadGuard:
    """SQLite's authorizer for a business query: reading (tables, views, CTEs, recursive CTEs, functions) only.

    mode=ro and query_only keep the database file intact, yet ATTACH 'file:...?mode=rwc' and VACUUM INTO (an
    attach) create their file before failing; SQLite asks the authorizer while preparing, before anything runs.
    """

    ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                         sqlite3.SQLITE_RECURSIVE})
    SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_schema"})

    def __init__(self) -> None:
        self.refused = ""
        """What the query asked for and was refused (the first thing), "" while nothing was."""

    def __call__(self, action: int, first: str | None, second: str | None, schema: str | None,
                 source: str | None) -> int:
        if action in self.ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and first in self.SCHEMA_TABLES and source is None:
            # a table-valued function (json_each, json_tree) is registered at its first use in a connection, which
            # SQLite reports as an update of the schema table; the file is read-only and query_only, nothing is
            # written
            return sqlite3.SQLITE_OK
        if not self.refused:
            self.refused = " ".join(part for part in (AUTHORIZER_ACTIONS.get(action, f"action {action}"), first)
                                    if part)
        return sqlite3.SQLITE_DENY


def _is_timeout(error: DBAPIError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == POSTGRES_QUERY_CANCELED:
        return True
    return isinstance(original, sqlite3.OperationalError) and "interrupted" in str(original)


def driver_reason(error: SQLAlchemyError, engine: Engine) -> str:
    """The driver's message without SQLAlchemy's statement echo and documentation link, nor the engine's password
    should the driver quote it."""
    original = getattr(error, "orig", None)
    message = str(original or error).strip().splitlines()[0]
    password = engine.url.password
    return message.replace(password, "***") if password else message


def rows_to_samples(metric: BusinessMetric, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Sample]:
    """One sample per row; JobFailed when the columns are not the value and labels the metric declares."""
    by_lower = {column.lower(): index for index, column in enumerate(columns)}
    wanted = [metric.value, *metric.labels]
    if sorted(by_lower) != sorted(name.lower() for name in wanted):
        raise JobFailed(f"returned columns {list(columns)}; expected value column {metric.value!r} and label "
                        f"columns {list(metric.labels)} (alias them with AS)")
    value_at = by_lower[metric.value.lower()]
    label_at = [(label, by_lower[label.lower()]) for label in metric.labels]
    samples: dict[tuple[tuple[str, str], ...], Sample] = {}
    for row in rows:
        if row[value_at] is None:
            continue
        try:
            value = float(row[value_at])
        except (TypeError, ValueError):
            raise JobFailed(f"value column {metric.value!r} holds {row[value_at]!r}, not a number") from None
        labels = labels_of({label: "" if row[i] is None else str(row[i]) for label, i in label_at})
        if labels in samples:
            raise JobFailed(f"returned two rows with the labels {dict(labels)}: group by every label column")
        if not math.isnan(value):
            samples[labels] = Sample(metric.name, labels, value)
    return list(samples.values())


def bounded(sql: str, rows: int) -> str:
    """PostgreSQL's statement for a business query: `rows` of its rows at most leave the server.

    libpq receives and holds a statement's whole result before its first row can be read, whatever the run
    keeps of it (2,000,000 rows took 140 MB). A LIMIT keeps it one statement, under one statement_timeout and
    shown as written in pg_stat_activity, where a server-side cursor would be a DECLARE and FETCHes. SQLite's
    cursor steps through its rows as they are read: its SQL runs as written.

    `sql` is a BusinessMetric's: one statement, its trailing ';' and comments dropped (model.sql_statement), so
    nothing after it can end the statement or comment out the closing parenthesis.
    """
    # the parentheses on lines of their own all the same: a leading -- comment stays on its line
    return f"SELECT * FROM (\n{sql}\n) AS obsgen_rows LIMIT {rows}"


class QueryJob(Job):
    """Runs one business metric's SQL on its database."""

    def __init__(self, metric: BusinessMetric, databases: Databases, up: UpGauge) -> None:
        super().__init__(metric, up)
        self.metric = metric
        self.database = metric.database
        self._databases = databases
        self._statement = text(metric.sql)
        self._bounded = text(bounded(metric.sql, metric.max_series + 1))
        self._binds = set(self._statement.compile().params)
        self._in_progress: RunInterrupt | None = None
        self._stopping = False
        self._lock = threading.Lock()
        self._served = (Monotonic(metric.name, metric.location, metric.max_series)
                        if metric.type == MetricType.COUNTER else list)

    def interrupt(self) -> None:
        """Cut the run in progress, and any later one as it starts."""
        with self._lock:
            self._stopping = True
            if self._in_progress is not None:
                self._in_progress.cut(STOPPING)

    def _started(self, run: RunInterrupt) -> None:
        with self._lock:
            self._in_progress = run
            if self._stopping:
                run.cut(STOPPING)

    def connect(self) -> Connection:
        """A new connection for a run (bounded by connect_timeout), its keepalives sized from the metric's timeout;
        SourceDown when the database cannot be reached."""
        engine = self._databases.engine(self.metric.database, parse_seconds(self.metric.timeout))
        try:
            return engine.connect()
        except SQLAlchemyError as error:
            reason = cannot_open(engine.url, self._databases.declared[self.metric.database],
                                 driver_reason(error, engine))
            raise SourceDown(f"database {self.metric.database} unreachable: {reason}") from None

    def run(self, wall_time: float) -> list[Sample]:
        """Execute the SQL read-only with the metric's timeout and turn its rows into samples."""
        values = bind_values(wall_time)
        if self._binds - values.keys():
            unknown = ", ".join(f":{name}" for name in sorted(self._binds - values.keys()))
            raise JobFailed(f"unknown bind parameter {unknown} (only :{BIND_NOW}, the run's Unix time, and "
                            f":{BIND_TODAY}, its day's start at 00:00 UTC, are bound)")
        params = {name: values[name] for name in self._binds}
        conn = self.connect()
        engine, timeout = conn.engine, parse_seconds(self.metric.timeout)
        # the server cancels the statement at `timeout`; connect_timeout more is the allowance for its answer
        limit = timeout + self._databases.declared[self.metric.database].connect_timeout
        with conn:
            cut = RunInterrupt(conn.connection.driver_connection)
            self._started(cut)
            try:
                with watchdog(cut, limit), read_only(conn, timeout):
                    postgres = conn.dialect.name == "postgresql"
                    result = conn.execute(self._bounded if postgres else self._statement, params)
                    # one row more than allowed tells too many, without reading (and holding) them all
                    columns, rows = list(result.keys()), result.fetchmany(self.metric.max_series + 1)
            except DBAPIError as error:
                if cut.reason == STOPPING:
                    raise JobFailed(STOPPED) from None
                if cut.reason == UNANSWERED:
                    raise SourceNotAnswering(f"database {self.metric.database} did not answer within {limit:g}s "
                                             f"(timeout {self.metric.timeout} + connect_timeout): connection "
                                             "closed") from None
                if error.connection_invalidated:
                    raise SourceDown(f"database {self.metric.database} dropped the connection: "
                                     f"{driver_reason(error, engine)}") from None
                if _is_timeout(error):
                    raise JobTimeout(f"cancelled after its timeout of {self.metric.timeout}") from None
                raise JobFailed(driver_reason(error, engine)) from None
            except SQLAlchemyError as error:
                raise JobFailed(driver_reason(error, engine)) from None
            finally:
                cut.end()
        if len(rows) > self.metric.max_series:
            raise JobFailed(f"returned more than max_series={self.metric.max_series} rows: aggregate the SQL (fewer "
                            "label columns, a GROUP BY) or raise max_series")
        return self._served(rows_to_samples(self.metric, columns, [tuple(row) for row in rows]))
