"""`obsgen up`: the live local stack started, on loopback, from the definitions in compressed time (what is done to
a started one, `obsgen down` among it, is generator/live/running.py's).

Everything runs natively: Debian's prometheus, prometheus-alertmanager and prometheus-node-exporter, the
demo application (with its simulated host), the webhook and SMTP sinks, and the sidecar exporter when this
obsgen has one. The configuration is the definitions compiled with a time-compressed profile, pointed
at these processes (ack lines name this Alertmanager, dashboard links open the preview, whatever ports) and declaring
the Alertmanager release installed (whose UI reads the notifications' links); notifications land in the sinks'
JSONL files instead of Slack, PagerDuty or email.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.build import check_releases, compile_project, load
from generator.checks.registry import RELEASE_CHECKS
from generator.core.duration import format_seconds, parse_seconds
from generator.core.planted_links import write_new
from generator.derive.dispatch_start import RESEND_DELAY  # Prometheus' default --rules.alert.resend-delay
from generator.derive.for_state import for_state
from generator.derive.time_compression import apply
from generator.live import alertmanager_count, backfill, releases
from generator.live.demo.app import READY_PATH as DEMO_READY
from generator.live.demo.business import BusinessModel
from generator.live.demo.host import SIMULATED_HOSTS, healthy_gauges, metrics_path
from generator.live.ports import free_port, is_free
from generator.live.running import DEFAULT_STATE_DIR, LiveStack
from generator.live.state_dir import claim
from generator.live.supervisor import (
    StartError,
    Starting,
    Supervisor,
    http_ready,
    interrupted_by_signals,
    log_ready,
    rules_evaluated_since,
    smtp_ready,
)
from generator.live.time_scale import pairing_warning
from generator.live.webhook_sink import READY_PATH as SINK_READY
from generator.model import Database, ScrapeJob, Source
from generator.model.profile import Profile
from generator.model.project import Project
from generator.package.tree import write_tree
from generator.targets.prometheus import FEATURES as PROMETHEUS_FEATURES

PREFERRED_PORTS = {"demo": 8000, "prometheus": 9090, "alertmanager": 9093, "webhook": 9099,
                   "node-exporter": 9100, "exporter": 9188, "smtp": 2525, "preview": 3001,
                   "alertmanager-cluster": 9094, "alertmanager-2": 9095, "alertmanager-2-cluster": 9096}
COMPONENTS = ("demo", "prometheus", "webhook", "node-exporter", "exporter", "smtp", "preview")
"""Components with a port, besides the Alertmanagers."""
COMPONENT_OF_SOURCE = {Source.PROMETHEUS: "prometheus", Source.ALERTMANAGER: "alertmanager",
                       Source.NODE_EXPORTER: "node-exporter", Source.APPLICATION: "demo",
                       Source.SIDECAR: "exporter"}
NODE_COLLECTORS = ("cpu", "meminfo", "loadavg", "stat", "diskstats", "netdev", "filesystem")
"""The node-exporter collectors whose series the definitions read; the rest are off to keep 1 s scrapes cheap."""
TOOLS = (releases.PROMETHEUS, "promtool", releases.ALERTMANAGER, "prometheus-node-exporter")
MAINTENANCE_INTERVAL = 900.0
"""Alertmanager's default --data.maintenance-interval (snapshots of notification log and silences), in seconds."""
PEER_TIMEOUT = "2s"
"""--cluster.peer-timeout of a live pair: how long the second Alertmanager waits for the first's notification
log before sending itself. Ten gossip intervals (200 ms) carry a log entry across loopback many times over;
the default 15 s would hold every page sent through the survivor of a pair for 15 simulated minutes."""
EXPORTER_CONFIG = "exporter/exporter.yml"
START_ATTEMPTS = 3
"""Starts tried, each with ports chosen anew, while a server finds its port taken: ports are chosen free before the
first server starts, and another process (another stack, a test's server) may take one in the seconds between."""
RULES_WAITED_FOR = 15.0
"""Seconds: `up` waits for the rule groups evaluated at least this often to evaluate once (a compressed stack's
alerting and SLO groups, every second), so that `obsgen status` right after finds each rule's health known. The
aggregation groups (every minute or five) are not waited for: a group's first evaluation comes at an offset hashed
from its name and file, up to a whole interval after the start (waiting for the minute ones made `up` 80 s, 51 of
them after Prometheus was ready), and the out-of-order window (OUT_OF_ORDER_WINDOW) stores it wherever it falls."""
OUT_OF_ORDER_WINDOW = "10m"
"""The live Prometheus' storage.tsdb.out_of_order_time_window. The history is written ahead of the clock
(backfill.Past.catch_up), and Prometheus 2.42 refuses every sample older than its newest block's end as "out of
bounds": each first scrape and rule evaluation in those seconds, and a slow group whose slot (an offset hashed from
its name and file) falls there keeps that error on its rules until its next evaluation, 5 minutes later (`obsgen
status` exits 1 meanwhile). With a window they are stored beside the blocks (merged at compaction); 10 minutes is
longer than any stretch written ahead (the first scrape's delay, a step, the recording rules' evaluation)."""
DEMO_DB_READY = "writing new sessions"
"""What `obsgen demo-db --trickle` prints once its history is written."""
SIMULATED_HOST = SIMULATED_HOSTS[0]
"""instance label of the demo's first simulated host, where CPU and memory faults show by default."""
SINK_ROUTING_KEY = "obsgen-live-demo"
"""The routing key PagerDuty integrations send the sink: not a secret, and no PagerDuty account would take it."""
ROUTING_KEY_FILE = "pagerduty-routing-key"
"""In the state directory: the file Alertmanager reads SINK_ROUTING_KEY from."""


@dataclass(frozen=True)
class Options:
    """How to bring the stack up."""

    definitions: Path = Path("definitions")
    state_dir: Path = DEFAULT_STATE_DIR
    time_scale: float = 60.0
    """How many times faster than real time: 60 makes the definitions' hour a minute."""
    scrape_interval: str = "1s"
    free_ports: bool = False
    """Use free ports for everything instead of the usual ones (9090, 9093, ...)."""
    real_host: bool = False
    """Let the real machine's alerts (node-exporter's) climb the escalation policies too; by default they fire and
    notify, but a busy shared machine would otherwise page the director within a minute of `up`."""
    alertmanagers: int = 1
    """How many Alertmanagers; more than one run as a cluster on loopback, and Prometheus sends to all. 0: as many
    as the definitions configure (`obsgen up`'s default: their HA pair)."""

    @property
    def alertmanager_names(self) -> tuple[str, ...]:
        """Component names of the Alertmanagers: alertmanager, alertmanager-2, ..."""
        return ("alertmanager", *(f"alertmanager-{n}" for n in range(2, self.alertmanagers + 1)))


def _clear(state_dir: Path) -> None:
    """Remove what an earlier stack (or start) left in the state directory."""
    stale = ("out", "prometheus-data", "notifications", "logs", "backfill", "state.json")  # backfill/: older obsgens
    # a link is removed, never followed: rmtree refuses one (silently here) and the stack would write through it
    for path in [*(state_dir / name for name in (*stale, ROUTING_KEY_FILE)), *state_dir.glob("alertmanager*-data")]:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    write_new(state_dir / ROUTING_KEY_FILE, SINK_ROUTING_KEY + "\n")


def _ports(options: Options) -> dict[str, int]:
    names = [*COMPONENTS, *options.alertmanager_names]
    if options.alertmanagers > 1:
        names += [f"{name}-cluster" for name in options.alertmanager_names]
    ports: dict[str, int] = {}
    for name in names:
        preferred = PREFERRED_PORTS.get(name, 0)
        usable = preferred and not options.free_ports and is_free(preferred)
        ports[name] = preferred if usable else free_port({*ports.values(), *PREFERRED_PORTS.values()})
    return ports


def _urls(ports: dict[str, int]) -> dict[str, str]:
    """Each component's URL: what its servers are told as --web.external-url and what the live build prints."""
    return {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


def _profile(project: Project, options: Options, ports: dict[str, int], started: set[str]) -> Profile:
    address = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    url = _urls(ports)
    alertmanagers = tuple(address[name] for name in options.alertmanager_names)
    targets: dict[str, tuple[str, ...]] = {
        job.name: alertmanagers if job.source is Source.ALERTMANAGER else (address[COMPONENT_OF_SOURCE[job.source]],)
        for job in project.scrape_jobs
        if COMPONENT_OF_SOURCE.get(job.source) in started}  # jobs of anything not running here are dropped
    simulated = tuple(ScrapeJob(name=simulated_job(host), source=Source.NODE_EXPORTER, targets=(address["demo"],),
                                metrics_path=metrics_path(host), labels={"instance": host}) for host in SIMULATED_HOSTS)
    real = address["node-exporter"] if "node-exporter" in started and not options.real_host else ""
    return Profile(time_scale=1 / options.time_scale, scrape_interval=options.scrape_interval,
                   sink_url=f"http://{address['webhook']}",
                   sink_routing_key_file=str(options.state_dir.resolve() / ROUTING_KEY_FILE),
                   smtp_smarthost=address["smtp"],
                   alertmanagers=alertmanagers, targets=targets, scrape_jobs=simulated,
                   quiet_instances=(real,) if real else (),
                   alertmanager_version=releases.installed(releases.ALERTMANAGER),
                   prometheus_version=releases.installed(releases.PROMETHEUS),  # what NT006 judges a reload of
                   alertmanager_url=url[options.alertmanager_names[0]],  # a pair's first: silences gossip to the rest
                   prometheus_url=url["prometheus"], grafana_url=url["preview"],  # the preview answers /d/<uid>
                   exporter_listen=address["exporter"] if "exporter" in started else "",
                   out_of_order_time_window=OUT_OF_ORDER_WINDOW)


def simulated_job(host: str) -> str:
    """The demo-only scrape job of a simulated host: node-simulated, node-simulated-2, ..."""
    return "node-simulated" + host.removeprefix(SIMULATED_HOST)


def _app_job(project: Project) -> ScrapeJob | None:
    return next((job for job in project.scrape_jobs if job.source is Source.APPLICATION), None)


def _compile(definitions: Project, options: Options, ports: dict[str, int], out: Path) -> tuple[Project, str]:
    """The profiled project written to out/, and why the sidecar exporter is left out ("" if it is not)."""
    components = {"prometheus", "alertmanager", "node-exporter", "demo"}
    skip = ""
    project = apply(definitions, _profile(definitions, options, ports, components | {"exporter"}))
    write_tree(compile_project(project), out)
    if not (out / EXPORTER_CONFIG).exists():
        skip = f"the build wrote no {EXPORTER_CONFIG}"
        project = apply(definitions, _profile(definitions, options, ports, components))
        write_tree(compile_project(project), out)
    return project, skip


def up(options: Options, warn: Callable[[str], None] = lambda _: None) -> LiveStack:
    """Build, backfill and start everything; on any failure stop what was started and raise. warn() is told, before
    anything starts, what the options cannot keep (a time scale that tells a dead service twice)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not installed: `make up` installs Debian's packages")
    if importlib.util.find_spec("aiosmtpd") is None:
        raise RuntimeError("the SMTP sink needs aiosmtpd: pip install 'obsgen[live]'")
    state_dir = options.state_dir.resolve()
    if Supervisor.load(state_dir).running():
        raise RuntimeError(f"a live stack is already running from {state_dir}: run `obsgen down` first")
    claim(state_dir, options.definitions)
    _clear(state_dir)
    out = state_dir / "out"
    definitions = load(options.definitions, later=RELEASE_CHECKS)  # judged below, for the releases the stack runs
    options = replace(options, alertmanagers=alertmanager_count.count(options.alertmanagers, definitions))
    for warning in (pairing_warning(definitions, options.time_scale, options.scrape_interval),
                    alertmanager_count.fewer_warning(options.alertmanagers, definitions)):
        if warning:
            warn(warning)
    for attempt in range(1, START_ATTEMPTS + 1):
        if attempt > 1:
            _clear(state_dir)  # what the start before left
        ports = _ports(options)
        project, exporter_skip = _compile(definitions, options, ports, out)
        if attempt == 1:  # what the releases it runs deserve, which the definitions' own may not (NT006, NT010)
            for problem in check_releases(project).problems:
                warn(f"{problem.location}: {problem.message} [{problem.code}]")
        supervisor = Supervisor(state_dir)
        try:
            with interrupted_by_signals():
                try:
                    _start(supervisor, project, options, ports, out, with_exporter=not exporter_skip)
                except BaseException:  # whatever stopped the start (a failed component, Ctrl-C, a hangup)
                    supervisor.stop_all()  # leaves nothing
                    raise
            break
        except StartError as error:
            if not error.port_taken or attempt == START_ATTEMPTS:
                raise
    self_jobs = [job.name for job in project.scrape_jobs if job.source in (Source.PROMETHEUS, Source.ALERTMANAGER)]
    unscraped = sorted({job.source.value for job in definitions.scrape_jobs} - {
        job.source.value for job in project.scrape_jobs})
    skipped = {"exporter": exporter_skip} if exporter_skip else {}
    if unscraped:
        skipped["scrape jobs"] = f"nothing here runs {', '.join(unscraped)}"
    supervisor.info = {"urls": {p.name: p.url for p in supervisor.processes}, "out": str(out),
                       "time_scale": options.time_scale,
                       "scrape_interval": parse_seconds(project.stack.scrape_interval), "ready_at": time.time(),
                       "self_jobs": self_jobs, "alertmanagers": options.alertmanager_names,
                       "resend_delay": parse_seconds(_resend_delay(options)), "skipped": skipped}
    supervisor.save()
    return LiveStack.load(state_dir)


def _start(supervisor: Supervisor, project: Project, options: Options, ports: dict[str, int], out: Path,
           with_exporter: bool) -> None:
    state_dir = supervisor.state_dir
    url = _urls(ports)
    python = [sys.executable, "-m"]
    listen = {name: f"--web.listen-address=127.0.0.1:{port}" for name, port in ports.items()}
    records = state_dir / "notifications"
    dsn = f"sqlite:///{state_dir / 'shop-demo.db'}"
    # begun here and waited for below: the demo database is computed, the exporter starts once it is ready, and the
    # servers start, while the history is written (the backfill, the longest step); the demo needs its epoch
    exporter = _AfterReady(
        supervisor.begin("demo-db", [*python, "generator", "demo-db", "--dsn", dsn, "--trickle"],
                         log_ready(supervisor.log("demo-db"), DEMO_DB_READY), timeout=120),
        lambda: _begin_exporter(supervisor, project, out, url, dsn)) if with_exporter else None
    try:
        starting = [
            supervisor.begin("webhook-sink", [*python, "generator.live.webhook_sink", "--port",
                                              str(ports["webhook"]), "--record", str(records / "webhook.jsonl")],
                             http_ready(url["webhook"] + SINK_READY), url["webhook"]),
            supervisor.begin("smtp-sink", [*python, "generator.live.smtp_sink", "--port", str(ports["smtp"]),
                                           "--record", str(records / "email.jsonl")],
                             smtp_ready(ports["smtp"]), f"smtp://127.0.0.1:{ports['smtp']}"),
            supervisor.begin("node-exporter", ["prometheus-node-exporter", "--collector.disable-defaults",
                                               *(f"--collector.{name}" for name in NODE_COLLECTORS),
                                               listen["node-exporter"]],
                             http_ready(url["node-exporter"] + "/metrics"), url["node-exporter"]),
            *(supervisor.begin(name, _alertmanager_argv(name, options, ports, out, state_dir),
                               http_ready(url[name] + "/-/ready"), url[name]) for name in options.alertmanager_names)]
        data = state_dir / "prometheus-data"
        past = _backfill(supervisor, project, options, ports, data)
        app_job = _app_job(project)
        service = app_job.labels.get("service", "api") if app_job else "api"
        starting.append(supervisor.begin("demo", [
            *python, "generator.live.demo.app", "--port", str(ports["demo"]),
            "--definitions", str(options.definitions.resolve()), "--service", service,
            "--epoch", repr(past.epoch), "--time-scale", repr(1 / options.time_scale)],
            http_ready(url["demo"] + DEMO_READY), url["demo"]))
        if exporter:
            starting.append(exporter.begun())
    except BaseException:
        if exporter:
            exporter.abandon()  # whatever it began is recorded by now, and stopped with the rest
        raise
    for each in starting:  # in the order begun: the first that failed is the one named
        each.wait()
    retention = project.retention.server_retention if project.retention else "15d"
    past.catch_up(data, free_port(ports.values()), supervisor)
    started = time.time()
    supervisor.start("prometheus", [
        "prometheus", f"--config.file={out / 'prometheus/prometheus.yml'}", listen["prometheus"],
        f"--storage.tsdb.path={data}", f"--storage.tsdb.retention.time={retention}",
        f"--rules.alert.resend-delay={_resend_delay(options)}", *for_state(project, 1 / options.time_scale).flags(),
        f"--web.external-url={url['prometheus']}", "--web.enable-lifecycle",
        *(f"--enable-feature={feature}" for feature in PROMETHEUS_FEATURES)],
        # up once its frequent groups have evaluated, each once: whatever falls in the history written ahead
        # (backfill.Past.catch_up) is stored in the out-of-order window, not refused
        rules_evaluated_since(url["prometheus"], started, RULES_WAITED_FOR), url["prometheus"],
        timeout=30 + RULES_WAITED_FOR)
    supervisor.start("preview", [*python, "generator", "preview", "--serve", "--grafana", str(out / "grafana"),
                                 "--prometheus", url["prometheus"], "--port", str(ports["preview"])],
                     http_ready(url["preview"] + "/"), url["preview"])


class _AfterReady:
    """Begins a process once another is ready, from a thread of its own, while `up` goes on."""

    def __init__(self, first: Starting, then: Callable[[], Starting]) -> None:
        self._abandoned = threading.Event()
        self._outcome: list[Starting | BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(first, then), name="obsgen-up-after", daemon=True)
        self._thread.start()

    def _run(self, first: Starting, then: Callable[[], Starting]) -> None:
        try:
            first.wait(self._abandoned)
            self._outcome.append(then())
        except BaseException as error:  # raised in begun(), in up's thread
            self._outcome.append(error)

    def begun(self) -> Starting:
        """The second process, begun (not yet known ready); StartError if the first did not get ready."""
        self._thread.join()
        if isinstance(outcome := self._outcome[0], BaseException):
            raise outcome
        return outcome

    def abandon(self) -> None:
        """Stop waiting for the first; returns once the thread has begun nothing more."""
        self._abandoned.set()
        self._thread.join()


def _alertmanager_argv(name: str, options: Options, ports: dict[str, int], out: Path, state_dir: Path) -> list[str]:
    """One Alertmanager; with several, each joins the others on loopback and waits PEER_TIMEOUT per position."""
    # its notification log and silences are snapshotted to disk every maintenance interval and at a clean
    # stop: compressed like every delay, a crash (SIGKILL) forgets at most 15 simulated minutes of them
    maintenance = format_seconds(max(MAINTENANCE_INTERVAL / options.time_scale, 1.0))
    argv = [releases.ALERTMANAGER, f"--config.file={out / 'alertmanager/alertmanager.yml'}",
            f"--web.listen-address=127.0.0.1:{ports[name]}", f"--storage.path={state_dir / f'{name}-data'}",
            f"--web.external-url={_urls(ports)[name]}", f"--data.maintenance-interval={maintenance}"]
    if options.alertmanagers == 1:
        return [*argv, "--cluster.listen-address="]
    peers = [f"--cluster.peer=127.0.0.1:{ports[f'{other}-cluster']}" for other in options.alertmanager_names
             if other != name]
    return [*argv, f"--cluster.listen-address=127.0.0.1:{ports[f'{name}-cluster']}", *peers,
            f"--cluster.peer-timeout={PEER_TIMEOUT}"]


def _backfill(supervisor: Supervisor, project: Project, options: Options, ports: dict[str, int], data: Path
              ) -> backfill.Past:
    """Write the demo's history (and the recording rules over it) into Prometheus' data directory."""
    data.mkdir(parents=True, exist_ok=True)
    hosts = functools.partial(healthy_gauges, {host: simulated_job(host) for host in SIMULATED_HOSTS})
    modelled = BusinessModel(epoch=0.0).series_names() | {series.name for series in hosts(0.0)}
    history = backfill.History.for_rules(project, modelled, time.time())
    app_job = _app_job(project)
    if app_job is None:
        return backfill.Past(history.end, None, history, {})
    model = BusinessModel(epoch=history.start, time_scale=1 / options.time_scale)
    target = {"job": app_job.name, "instance": f"127.0.0.1:{ports['demo']}", **app_job.labels}
    scrapes = backfill.healthy_scrapes(project, history.end - backfill.LOOKBACK)  # and catch_up writes none ahead
    backfill.write_raw(model, history, target, data, data.parent, lambda t: {**hosts(t), **scrapes(t)})
    # and the recordings over `up` (job:up:max, the pipeline SLO's input), whose past healthy_scrapes writes
    recorded = backfill.needing_history(project, modelled | {"up"})
    recorder = backfill.Recorder(tuple(recorded), project.stack.evaluation_interval)
    seconds = recorder.write(history, data, free_port(ports.values()), supervisor)
    return backfill.Past(history.start, model, history, target, recorder, seconds, hosts)


def _resend_delay(options: Options) -> str:
    # Prometheus re-sends firing alerts every minute: compressed like every other delay, but at least four
    # scrapes apart, since Alertmanager resolves an alert that is not re-sent within four resend delays.
    scaled = RESEND_DELAY / options.time_scale
    return format_seconds(max(scaled, 4 * parse_seconds(options.scrape_interval)))


def _begin_exporter(supervisor: Supervisor, project: Project, out: Path, url: dict[str, str], dsn: str) -> Starting:
    """The sidecar exporter reading the demo database (`dsn`, with history, then a live trickle of sessions): each
    database the project reads through an environment variable is given the demo's (the project, not the
    exporter.yml built from it, says which). It listens, and reads the stack's Prometheus, where the live build's
    exporter.yml says (_profile)."""
    databases = {database.dsn_env: dsn for database in project.all(Database) if database.dsn_env}
    return supervisor.begin("exporter", [sys.executable, "-m", "generator", "exporter", "--config",
                                         str(out / EXPORTER_CONFIG)],
                            http_ready(url["exporter"] + "/metrics"), url["exporter"], env=databases)
