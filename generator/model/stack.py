"""The deployment the definitions describe: scrape settings, scrape jobs and where the servers live."""

import re
from functools import lru_cache
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.core.releases import PROMETHEUS_VERSION, RELEASE, declared_alertmanager, ordered
from generator.model.base import Definition
from generator.model.kubernetes import ClusterEndpoint
from generator.model.metrics import Source
from generator.model.notify import SecretsByReference

TARGET = re.compile(r"^[\w.-]+:\d+$")
NOT_IN_METRICS_PATH = re.compile(r"[\s?#\x00-\x1f\x7f]")
"""What a scrape's HTTP path may not hold. Prometheus sets it as its URL's path, which escapes `?` and `#` (%3F,
%23): a query written here is never sent as one, only written to out/ (with any credential in it)."""
ALERTMANAGER_VERSION = "0.34.1"  # the image stacks/docker-compose.yml pins
"""The Alertmanager release a Stack runs unless it says another."""
UI_DECODES_FILTER = (0, 32, 0)
"""The first Alertmanager whose UI decodes a filter's quoted value as a JSON string (CHANGELOG 0.32.0:
prometheus/alertmanager#4862, fixing #1913); an earlier UI keeps the text between the quotes as written."""


def _server_file(path: str) -> str:
    """A file in Prometheus' container, by absolute path (never echoed: a value typed here may be the secret)."""
    if not path.startswith("/") or "\n" in path:
        raise ValueError("must be the absolute path of a file in Prometheus' container (the file holds the secret; "
                         "the value given is not shown)")
    return path


ServerFile = Annotated[str, AfterValidator(_server_file)]
"""A file Prometheus reads at each scrape: out/ names it, the secret stays in it. Mounted into the container outside
/etc/prometheus, which compose mounts out/prometheus/ at (replaced by every build)."""
OptionalServerFile = Annotated[str, AfterValidator(lambda path: path and _server_file(path))]


class ScrapeTLS(SecretsByReference):
    """A scrape's tls_config: how Prometheus verifies the targets' certificate and which one it presents."""

    ca_file: OptionalServerFile = Field(default="", description="CA certificate verifying the targets'.")
    cert_file: OptionalServerFile = Field(default="", description="Client certificate Prometheus presents (mTLS).")
    key_file: OptionalServerFile = Field(default="", description="Private key of cert_file.")
    server_name: str = Field(default="", description="Name the targets' certificate must carry (SNI).")
    insecure_skip_verify: bool = Field(default=False, description=(
        "Accept any certificate: anyone between Prometheus and the target may answer (warned of, MP022)."))

    @model_validator(mode="after")
    def _pairs(self) -> Self:
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("cert_file and key_file go together: a client certificate needs its key")
        if self.insecure_skip_verify and self.ca_file:
            raise ValueError("insecure_skip_verify accepts any certificate: a ca_file beside it verifies nothing")
        return self


class ScrapeAuthorization(SecretsByReference):
    """A scrape's authorization: `Authorization: Bearer <the file's content>`."""

    credentials_file: ServerFile = Field(description="File holding the token (re-read at each scrape).")


class ScrapeBasicAuth(SecretsByReference):
    """A scrape's basic_auth: the username as it is, the password from a file."""

    username: str = Field(min_length=1, description="The user name (not a secret: written to out/).")
    password_file: ServerFile = Field(description="File holding the password (re-read at each scrape).")


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
        "bearer token file, as a ServiceMonitor endpoint says them (XR024: a Service known to serve https). "
        "Unset, the cluster scrapes as scheme, tls_config, authorization and basic_auth say; set, it replaces them."))
    scheme: Literal["http", "https"] = Field(default="http", description="Scheme of the targets' URL.")
    tls_config: ScrapeTLS | None = Field(default=None, description=(
        "Prometheus' tls_config (needs scheme='https'): ca_file, cert_file, key_file, server_name, "
        "insecure_skip_verify; files by absolute path in Prometheus' container."))
    authorization: ScrapeAuthorization | None = Field(default=None, description=(
        "Bearer token from a file: ScrapeAuthorization(credentials_file=...). A token typed in is refused."))
    basic_auth: ScrapeBasicAuth | None = Field(default=None, description=(
        "Basic auth: ScrapeBasicAuth(username=..., password_file=...). A password typed in is refused."))

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

    @model_validator(mode="after")
    def _client(self) -> Self:
        if self.tls_config is not None and self.scheme != "https":
            raise ValueError("tls_config configures TLS: it needs scheme='https'")
        if self.authorization is not None and self.basic_auth is not None:
            raise ValueError("authorization and basic_auth are two ways to send credentials: Prometheus takes one")
        return self

    @property
    def in_cluster(self) -> "ScrapeJob":
        """The job as out/kubernetes/ scrapes it: its scheme, TLS and credentials replaced by cluster's where that
        says any (a ServiceMonitor endpoint's words for the same tls_config and authorization), else its own."""
        cluster = self.cluster
        if not cluster.model_fields_set:
            return self
        tls = {key: value for key, value in (("ca_file", cluster.ca_file), ("server_name", cluster.server_name),
                                             ("insecure_skip_verify", cluster.insecure_skip_verify)) if value}
        return self.model_copy(update={
            "scheme": cluster.scheme, "tls_config": ScrapeTLS(**tls) if tls else None, "basic_auth": None,
            "authorization": ScrapeAuthorization(credentials_file=cluster.bearer_token_file)
            if cluster.bearer_token_file else None})


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
