"""Business metrics the sidecar exporter reads from the application's database by SQL, and those databases."""

import re
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, field_validator, model_validator

from generator.model.base import Definition
from generator.model.exporter import JobName, Scheduled
from generator.model.metrics import Metric, MetricType, Source
from generator.model.secrets import reject_inline_secrets
from generator.model.sql_statement import single_statement

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
SUPPORTED_DSN = re.compile(r"^(sqlite|postgresql)(\+\w+)?://")
COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Database(Definition):
    """A database the exporter queries; its DSN comes from the environment or a file, or carries no secret."""

    name: JobName = Field(description="Name business metrics refer to, e.g. shop.")
    dsn: str = Field(default="", description="SQLAlchemy URL without credentials, e.g. sqlite:////var/lib/shop.db.")
    dsn_env: str = Field(default="", description="Environment variable holding the whole SQLAlchemy URL.")
    dsn_file: str = Field(default="", description="File holding the whole SQLAlchemy URL.")
    password_file: str = Field(default="", description="File holding the password added to `dsn` at runtime.")
    connect_timeout: int = Field(default=5, ge=2, le=300, description="Seconds to wait for a connection.")

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        return reject_inline_secrets(data)

    @field_validator("dsn_env")
    @classmethod
    def _env_name(cls, name: str) -> str:
        if name and not ENV_NAME.match(name):
            raise ValueError(f"dsn_env {name!r} must be an environment variable name such as SHOP_DATABASE_URL")
        return name

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [field for field in ("dsn", "dsn_env", "dsn_file") if getattr(self, field)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of dsn, dsn_env or dsn_file (got {', '.join(given) or 'none'})")
        if self.dsn and not SUPPORTED_DSN.match(self.dsn):
            raise ValueError(f"dsn {self.dsn!r} must be a sqlite:// or postgresql[+driver]:// SQLAlchemy URL")
        if self.password_file and not self.dsn:
            raise ValueError("password_file completes `dsn`; with dsn_env or dsn_file put the password in that URL")
        return self


def _database_name(value: object) -> object:
    return value.name if isinstance(value, Database) else value


class BusinessMetric(Metric, Scheduled):
    """A metric family computed by SQL: one sample per row, labels from columns, the value from a column.

    A gauge's query returns the current value (active users, conversion over the last hour); a
    counter's query returns the running total that only grows (orders ever placed), exposed as is (a decrease,
    rows deleted, is served as no change: generator/exporter/monotonic.py).
    SQL may use the bind parameters ``:now`` (Unix seconds at run time) and ``:today`` (Unix seconds of
    that day's start, 00:00 UTC) to stay portable across databases. A row whose value is NULL gives no
    sample (use COALESCE for a zero).
    """

    name: JobName = Field(description="Metric family name; lower_snake_case, counters ending in _total.")
    source: Source = Field(default=Source.SIDECAR, description="Always the sidecar exporter.")
    database: Annotated[str, BeforeValidator(_database_name)] = Field(description="Database (or its name).")
    sql: str = Field(min_length=1, description=(
        "One SELECT statement; a trailing ';' and trailing comments are dropped."))
    value: str = Field(default="value", description="Column holding each sample's value.")
    max_series: int = Field(default=1000, ge=1, le=100_000, description=(
        "A run returning more rows (a series each) fails: a label of unbounded cardinality (a customer, an "
        "order id) or a lost GROUP BY would otherwise flood the exporter's memory and Prometheus."))

    @field_validator("value")
    @classmethod
    def _column(cls, column: str) -> str:
        if not COLUMN.match(column):
            raise ValueError(f"value column {column!r} is not a plain column name")
        return column

    @field_validator("sql")
    @classmethod
    def _one_statement(cls, sql: str) -> str:
        return single_statement(sql)

    @model_validator(mode="after")
    def _exportable(self) -> Self:
        if self.source is not Source.SIDECAR:
            raise ValueError("a business metric is exported by the sidecar: leave source unset")
        if self.type not in (MetricType.GAUGE, MetricType.COUNTER):
            raise ValueError(f"a SQL business metric is a gauge or a counter, not a {self.type}")
        if self.value in self.labels:
            raise ValueError(f"column {self.value!r} cannot be both the value and a label")
        return self
