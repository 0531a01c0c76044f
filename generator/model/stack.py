"""The deployment the definitions describe: scrape settings, scrape jobs and where the servers live."""

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, field_validator

from generator.core.duration import Duration
from generator.core.releases import PROMETHEUS_VERSION, RELEASE, declared_alertmanager, ordered
from generator.model.base import Definition
from generator.model.kubernetes import ClusterEndpoint
from generator.model.metrics import Source

TARGET = re.compile(r"^[\w.-]+:\d+$")
NOT_IN_METRICS_PATH = re.compile(r"[\s?#\x00-\x1f\x7f]")
"""What a scrape's HTTP path may not hold. Prometheus sets it as its URL's path, which escapes `?` and `#` (%3F,
%23): a query written here is never sent as one, only written to out/ (with any credential in it)."""
ALERTMANAGER_VERSION = "0.34.1"  # the image stacks/docker-compose.yml pins
"""The Alertmanager release a Stack runs unless it says another."""
UI_DECODES_FILTER = (0, 32, 0)
"""The first Alertmanager whose UI decodes a filter's quoted value as a JSON string (CHANGELOG 0.32.0:
prometheus/alertmanager#4862, fixing #1913); an earlier UI keeps the text between the quotes as written."""


class ScrapeJob(Definition):
    """A Prometheus scrape job for one source of metrics."""

    name: str = Field(description="job label value.")
    source: Source = Field(description="Which exporter it scrapes.")
    targets: tuple[str, ...] = Field(min_length=1, description="host:port of each target.")
    metrics_path: str = Field(default="/metrics", description="HTTP path of the exposition.")
    interval: Duration | None = Field(default=None, description="Overrides the global scrape interval.")
    labels: dict[str, str] = Field(default_factory=dict, description="Static labels on every target.")
    cluster: ClusterEndpoint = Field(default_factory=ClusterEndpoint, description=(
        "How out/kubernetes/ scrapes the job's Services, where not as compose does (plain http): scheme, TLS and "
        "bearer token file, as a ServiceMonitor endpoint says them (XR024: a Service known to serve https)."))

    @field_validator("metrics_path")
    @classmethod
    def _path(cls, path: str) -> str:
        if refused := NOT_IN_METRICS_PATH.search(path):  # shown up to it: a query may hold a credential (CI's log)
            raise ValueError(f"metrics_path {path[:refused.end()]!r}... must be a path without a query, a fragment "
                             "or spaces (Prometheus sends ? and # escaped, as part of the path)")
        return path

    @field_validator("targets")
    @classmethod
    def _host_port(cls, targets: tuple[str, ...]) -> tuple[str, ...]:
        for target in targets:
            if "@" in target:  # user:password@host:port: shown without what precedes the @ (CI's log)
                raise ValueError(f"scrape target '...@{target.rsplit('@', 1)[1]}' must be host:port: it carries no "
                                 "credentials (a password there would be written to out/ and printed in logs); give "
                                 "host:port alone")
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
    alertmanager_version: str = Field(
        default=ALERTMANAGER_VERSION, pattern=f"^{RELEASE}$",
        description="The Alertmanager release at alertmanager_url, e.g. 0.25.0: how the notifications' silence "
                    "and alert-list links escape a label value for its UI (0.32.0 and later decode \\\" and "
                    "\\\\; an earlier UI keeps them, so a value with \" or \\ is warned of, NT010), and whether "
                    "it holds its first notifications after a start (0.30.0 and later: --dispatch.start-delay in "
                    "compose and Kubernetes; before, its inhibit rules can let a muted alert through, NT006).")
    prometheus_version: str = Field(
        default=PROMETHEUS_VERSION, pattern=f"^{RELEASE}$",
        description="The Prometheus release at prometheus_url, e.g. 2.42.0: whether a reload keeps the "
                    "Alertmanagers its notifier knows (3.0.0 and later; before, each reload drops the alerts sent "
                    "until its next discovery, so its inhibit rules can let a muted alert through, NT006).")
    docs_url: str = Field(description="Base URL where out/docs is published, for runbook links.")

    @property
    def prometheus_external_url(self) -> str:
        """What Prometheus' alert templates print for $externalURL, given prometheus_url as its --web.external-url."""
        return _external_url(self.prometheus_url)

    @property
    def alertmanager_external_url(self) -> str:
        """What Alertmanager's templates print for .ExternalURL, given alertmanager_url as its --web.external-url
        (cmd/alertmanager extURL trims the path as Prometheus does): the Alertmanager an ack command talks to."""
        return _external_url(self.alertmanager_url)

    @property
    def ui_decodes_filter(self) -> bool:
        """Whether the Alertmanager UI reads a link's filter value as a JSON string (0.32.0 and later)."""
        return ui_decodes_filter(self.alertmanager_version)


def alertmanager_built_for(template: str) -> str:
    """The Alertmanager release an out/ was built for, given its notification templates' text (obsgen.tmpl): what
    they declare (core.releases.declared_alertmanager), else ALERTMANAGER_VERSION (an out/ whose templates do not
    say). The one place that decides it, for obsgen diff, the ledger and obsgen apply: it lives here, beside the
    default it falls back to, since core (which reads the declaration) may not import the model and all three sit
    above it."""
    return declared_alertmanager(template) or ALERTMANAGER_VERSION


def ui_decodes_filter(release: str) -> bool:
    """Whether the UI of this Alertmanager release (X.Y.Z) reads a link's filter value as a JSON string."""
    return ordered(release) >= UI_DECODES_FILTER


@lru_cache(maxsize=8)
def _external_url(url: str) -> str:
    """The URL with its path's trailing slashes dropped (cmd/prometheus computeExternalURL, cmd/alertmanager extURL);
    kept, since every predicted annotation of every example asks for it."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit(parts._replace(path=f"/{path}" if path and not path.startswith("/") else path))
