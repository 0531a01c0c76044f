"""Build profiles: the same project compiled for a test or a live demo, never for out/."""

import math
import re
from dataclasses import dataclass, field

from generator.core.duration import parse_seconds
from generator.core.releases import RELEASE
from generator.model.stack import ScrapeJob


@dataclass(frozen=True)
class Profile:
    """Overrides applied to a loaded project before the targets run."""

    time_scale: float = 1.0
    """Multiplies every `for`, cooldown, repeat interval, escalation delay, PromQL range and forecast step,
    season, history, horizon and interval (1/60: hour -> minute)."""
    range_floor: str = "20s"
    """Shortest a scaled range window becomes: a rate needs several scrapes, and Alertmanager retries a
    failed notification no faster than its 10 s minimum group_interval, which does not scale."""
    scrape_interval: str = ""
    """Replaces the scrape and evaluation intervals when set."""
    sink_url: str = ""
    """When set, every Slack, webhook and PagerDuty channel posts to f"{sink_url}/{channel}" instead."""
    sink_routing_key_file: str = ""
    """With sink_url: the file PagerDuty integrations read the sink's routing key from (a demo's out/ carries no
    key inline either: Alertmanager needs one, and the secret scan refuses any written out)."""
    smtp_smarthost: str = ""
    """When set, email goes to this host:port without TLS or auth (a local sink)."""
    alertmanagers: tuple[str, ...] = ()
    """Replaces the Alertmanager addresses Prometheus sends to."""
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Replaces scrape targets per job; jobs not named are dropped when this is set."""
    scrape_jobs: tuple[ScrapeJob, ...] = ()
    """Jobs added for a demo (a simulated host, say); never part of the definitions."""
    quiet_instances: tuple[str, ...] = ()
    """Instances whose alerts fire and notify but do not climb escalation (the machine a demo runs on)."""
    alertmanager_version: str = ""
    """Replaces Stack.alertmanager_version when set: the release a demo actually runs, whose UI its notifications'
    links are escaped for (and which the checks that judge a release judge)."""
    prometheus_version: str = ""
    """Replaces Stack.prometheus_version when set: the release a demo actually runs (the checks that judge a
    release, NT006's reload race among them, judge this one)."""
    alertmanager_url: str = ""
    """Replaces Stack.alertmanager_url when set: the --web.external-url of the Alertmanager a demo runs, which its
    runbooks' ack and amtool lines then talk to, as its notifications' own command and silence link do."""
    prometheus_url: str = ""
    """Replaces Stack.prometheus_url when set: the --web.external-url of the Prometheus a demo runs, on loopback
    where its links point; its sidecar exporter's forecasts read it there too (ExporterSettings.prometheus_url)."""
    grafana_url: str = ""
    """Replaces Stack.grafana_url when set: where a demo serves its dashboards (Grafana's /d/<uid> addresses), which
    its notifications' and runbooks' panel links then open."""
    exporter_listen: str = ""
    """Replaces ExporterSettings.listen when set: the host:port a demo's sidecar exporter runs on, which its
    exporter.yml then names (the exporter listens where that file says)."""
    out_of_order_time_window: str = ""
    """prometheus.yml's storage.tsdb.out_of_order_time_window when set: a demo whose history is written ahead of the
    clock (live/backfill.py, Past.catch_up) has its first scrapes and rule evaluations, timestamped before the
    written blocks end, stored beside them instead of refused as out of bounds."""

    def __post_init__(self) -> None:
        """ValueError for a profile no build can follow: the fields a command line sets (--time-scale,
        --scrape-interval) are checked here, where they become a profile, so none reaches the targets unchecked."""
        if not (math.isfinite(self.time_scale) and self.time_scale > 0):
            raise ValueError(f"time scale {self.time_scale} is not a finite number above 0")
        for name in ("range_floor", "scrape_interval", "out_of_order_time_window"):
            value = getattr(self, name)
            if (value or name == "range_floor") and parse_seconds(value) <= 0:
                raise ValueError(f"{name.replace('_', ' ')} {value!r} must be longer than 0s")
        for name in ("alertmanager_version", "prometheus_version"):
            value = getattr(self, name)
            if value and not re.fullmatch(RELEASE, value):
                raise ValueError(f"{name.replace('_', ' ')} {value!r} is not X.Y.Z")

    @property
    def names_releases(self) -> bool:
        """Whether it names the Prometheus or Alertmanager release the build targets (which the checks that judge
        a release then judge, build.compile_definitions)."""
        return bool(self.alertmanager_version or self.prometheus_version)

    @property
    def is_default(self) -> bool:
        """Whether this profile changes nothing (the build of out/)."""
        return self == Profile()
