"""A live stack that `obsgen up` started, as it recorded it in the state directory: read back, one server
restarted or killed, the pipeline's self-scrape availability measured, and everything stopped (`obsgen down`).

Starting one is generator/live/stack.py's job; what runs here needs only the state file and the servers' URLs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.derive.dispatch_start import RESEND_DELAY  # Prometheus' default --rules.alert.resend-delay
from generator.live.availability import Availability, self_scrapes
from generator.live.demo.app import READY_PATH as DEMO_READY
from generator.live.supervisor import STATE_FILE, Process, StateError, Supervisor, http_ready
from generator.live.webhook_sink import READY_PATH as SINK_READY

DEFAULT_STATE_DIR = Path(".live")
READY_PATHS = {"prometheus": "/-/ready", "alertmanager": "/-/ready", "exporter": "/metrics",
               "node-exporter": "/metrics", "demo": DEMO_READY, "webhook-sink": SINK_READY,
               "preview": "/"}
"""What answers 200 once a restarted component is ready, by component (every Alertmanager of a pair alike)."""


@dataclass(frozen=True)
class LiveStack:
    """A running stack, as `up` recorded it in the state directory."""

    state_dir: Path
    urls: dict[str, str]
    out: Path
    time_scale: float
    scrape_interval: float
    ready_at: float
    """Unix time the whole stack was ready."""
    self_jobs: tuple[str, ...]
    """Scrape jobs of the pipeline's own servers (Prometheus, Alertmanager)."""
    alertmanagers: tuple[str, ...] = ("alertmanager",)
    """Component names of the Alertmanagers (two or more are clustered)."""
    resend_delay: float = RESEND_DELAY
    """Seconds between two sends of a firing alert; Alertmanager resolves one not re-sent within four."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Components not started, and why."""

    @property
    def webhook_record(self) -> Path:
        """JSONL file of every webhook, Slack and PagerDuty notification."""
        return self.state_dir / "notifications" / "webhook.jsonl"

    @property
    def email_record(self) -> Path:
        """JSONL file of every email."""
        return self.state_dir / "notifications" / "email.jsonl"

    @classmethod
    def load(cls, state_dir: Path) -> LiveStack:
        """The stack recorded in state_dir; RuntimeError if none is up."""
        info = Supervisor.load(state_dir).info
        if not info:
            raise RuntimeError(f"no live stack recorded in {state_dir}: run `obsgen up`")
        try:
            return cls(state_dir=state_dir, urls=dict(info["urls"]), out=Path(info["out"]),
                       time_scale=info["time_scale"], scrape_interval=info["scrape_interval"],
                       ready_at=info["ready_at"], self_jobs=tuple(info["self_jobs"]),
                       alertmanagers=tuple(info["alertmanagers"]), resend_delay=info["resend_delay"],
                       skipped=dict(info["skipped"]))
        except (KeyError, TypeError, ValueError) as error:
            raise StateError(f"{state_dir / STATE_FILE} records no stack this obsgen reads ({type(error).__name__}: "
                             f"{error}): stop it with `obsgen down`") from None


def restart(stack: LiveStack, component: str, down_for: float = 0.0) -> float:
    """Stop one server (SIGTERM, as an upgrade or a rescheduled pod would) and start it again as `up` did, `down_for`
    seconds later (a restart that surely misses scrapes: one quicker than a scrape interval may miss none); returns
    when it is ready."""
    ready_path = READY_PATHS["alertmanager" if component in stack.alertmanagers else component]
    Supervisor.load(stack.state_dir).restart(component, http_ready(stack.urls[component] + ready_path),
                                             down_for=down_for)
    return time.time()


def kill(stack: LiveStack, component: str) -> float:
    """SIGKILL one server and leave it down (`obsgen down` still stops the rest); returns when it is gone."""
    Supervisor.load(stack.state_dir).kill(component)
    return time.time()


def availability(stack: LiveStack) -> list[Availability]:
    """Share of successful self-scrapes of each of the pipeline's servers since the stack was ready."""
    seconds = time.time() - stack.ready_at
    return [self_scrapes(stack.urls["prometheus"], job, seconds, stack.scrape_interval) for job in stack.self_jobs]


def down(state_dir: Path) -> tuple[list[Availability], list[tuple[Process, str]]]:
    """Measure the run's self-scrape availability, then stop exactly the recorded processes."""
    supervisor = Supervisor.load(state_dir.resolve())
    measured: list[Availability] = []
    if supervisor.info and any(p.name == "prometheus" for p in supervisor.running()):
        try:
            measured = availability(LiveStack.load(state_dir.resolve()))
        except (OSError, ValueError, KeyError, StateError):
            measured = []
    return measured, supervisor.stop_all()
