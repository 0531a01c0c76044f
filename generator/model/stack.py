"""The deployment the definitions describe: scrape settings, scrape jobs and where the servers live."""

import re

from pydantic import Field, field_validator

from generator.core.duration import Duration
from generator.model.base import Definition
from generator.model.metrics import Source

TARGET = re.compile(r"^[\w.-]+:\d+$")


class ScrapeJob(Definition):
    """A Prometheus scrape job for one source of metrics."""

    name: str = Field(description="job label value.")
    source: Source = Field(description="Which exporter it scrapes.")
    targets: tuple[str, ...] = Field(min_length=1, description="host:port of each target.")
    metrics_path: str = Field(default="/metrics", description="HTTP path of the exposition.")
    interval: Duration | None = Field(default=None, description="Overrides the global scrape interval.")
    labels: dict[str, str] = Field(default_factory=dict, description="Static labels on every target.")

    @field_validator("targets")
    @classmethod
    def _host_port(cls, targets: tuple[str, ...]) -> tuple[str, ...]:
        for target in targets:
            if not TARGET.match(target):
                raise ValueError(f"scrape target {target!r} must be host:port")
        return targets


class Stack(Definition):
    """Global settings of the monitored system and its monitoring servers."""

    name: str = Field(description="System name, used in external labels and titles.")
    scrape_interval: Duration = Field(default="15s", description="The plan's collection interval.")
    evaluation_interval: Duration = Field(default="15s", description="How often rules are evaluated.")
    external_labels: dict[str, str] = Field(default_factory=dict, description="Labels on everything sent out.")
    alertmanagers: tuple[str, ...] = Field(default=("alertmanager:9093",), description="host:port list.")
    grafana_url: str = Field(default="http://localhost:3000", description="Base URL for dashboard links.")
    alertmanager_url: str = Field(
        default="http://localhost:9093",
        description="Where people reach Alertmanager (its --web.external-url): the silence link and the ack "
                    "command of every notification.")
    prometheus_url: str = Field(
        default="http://localhost:9090",
        description="Where people reach Prometheus (its --web.external-url): each alert's source link.")
    docs_url: str = Field(description="Base URL where out/docs is published, for runbook links.")
