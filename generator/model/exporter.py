"""The sidecar exporter's process settings, and the schedule each of its jobs (SQL query, forecast) runs on."""

import re
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from generator.core.duration import Duration, format_seconds, parse_seconds
from generator.model.base import Definition, Model
from generator.model.secrets import secret_in_value

LISTEN = re.compile(r"^[\w.:\[\]-]*:\d+$")
JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULT_STALE_INTERVALS = 3


def _seconds(value: Any) -> float | None:
    """Seconds of a raw duration value, None when it is not one (field validation reports that)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse_seconds(value) if isinstance(value, str) else None
    except ValueError:
        return None


class Scheduled(Model):
    """When a background job runs, how long it may take, and how long its last result stays served."""

    interval: Duration = Field(default="1m", description="How often the job runs.")
    timeout: Duration = Field(default="10s", description="Longest a run may take before it is cancelled.")
    stale_after: Duration = Field(
        default="", validate_default=False,
        description="Age after which the last result is no longer served (default 3 x interval).",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_stale_after(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("stale_after"):
            interval = _seconds(data.get("interval", cls.model_fields["interval"].default))
            if interval is not None:
                data = {**data, "stale_after": format_seconds(DEFAULT_STALE_INTERVALS * interval)}
        return data

    @property
    def runs_in_real_time(self) -> bool:
        """Whether interval and timeout are both real seconds (a time-compressed demo shortens the interval only:
        its computation does not get faster)."""
        return True

    @model_validator(mode="after")
    def _stale_after_covers_a_run(self) -> Self:
        interval, timeout = parse_seconds(self.interval), parse_seconds(self.timeout)
        if interval <= 0 or timeout <= 0:
            raise ValueError("interval and timeout must be longer than 0s")
        if timeout > interval and self.runs_in_real_time:  # as Prometheus refuses scrape_timeout > scrape_interval
            raise ValueError(
                f"timeout {self.timeout} is longer than interval {self.interval}: a slow run would push the next "
                "one back, counted as missed, instead of being cancelled in its own interval"
            )
        if parse_seconds(self.stale_after) < interval + timeout:
            raise ValueError(
                f"stale_after {self.stale_after} is shorter than interval + timeout "
                f"({format_seconds(interval + timeout)}): healthy results would flap out between runs"
            )
        return self


def _job_name(name: str) -> str:
    if not JOB_NAME.match(name):
        raise ValueError(f"{name!r} must be lower_snake_case")
    return name


JobName = Annotated[str, AfterValidator(_job_name)]
"""Names of databases, queries and forecasts: they become label values and log keys, so lower_snake_case."""


def plain_prometheus_url(url: str) -> str:
    """The forecasts' Prometheus URL, whether configured or given on the command line; ValueError if it is not
    http(s) or inlines a secret (logs and process listings would show it)."""
    if kind := secret_in_value(url):  # first: the other message quotes the URL
        raise ValueError(f"prometheus_url inlines {kind}")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"prometheus_url {url!r} must be http(s)")
    return url


class ExporterSettings(Definition):
    """Where the sidecar exporter listens and which Prometheus it learns forecasts from (one per project)."""

    listen: str = Field(default="127.0.0.1:9188", description=(
        "host:port of its /metrics endpoint; loopback unless a container publishes it (compose passes --listen)."))
    prometheus_url: str = Field(default="http://prometheus:9090", description="Prometheus read by forecasts.")
    prometheus_timeout: Duration = Field(default="30s", description="Timeout of one query_range request.")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, listen: str) -> str:
        if not LISTEN.match(listen):
            raise ValueError(f"listen {listen!r} must be host:port")
        return listen

    @field_validator("prometheus_url")
    @classmethod
    def _plain_url(cls, url: str) -> str:
        return plain_prometheus_url(url)

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self.listen.rsplit(":", 1)[1])
