"""From command-line settings to clients and stores, then apply or status over every server given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.apply import alertmanager, grafana, prometheus, reload, status
from generator.apply.files import CommandStore, DirectoryStore, Store
from generator.apply.grafana_api import Grafana
from generator.apply.http import Api, Connection, Credentials, hide_user_parts
from generator.apply.outcome import Action, Finding, Outcome
from generator.core.wording import counted
from generator.package.tree import require_built

RELOADABLE = {"alertmanager": alertmanager.SERVER, "prometheus": prometheus.SERVER}
ORDER = ("alertmanager", "prometheus", "grafana")  # receivers exist before the rules that page them


class UsageError(ValueError):
    """The settings do not say enough to reach a server or its files."""


@dataclass(frozen=True)
class Endpoint:
    """One server as the command line describes it."""

    name: str
    url: str
    token_file: Path | None = None
    directory: Path | None = None
    """The server's configuration directory, on this machine or mounted here."""
    pull: str = ""
    """Shell command copying the remote configuration directory into {dir}."""
    push: str = ""
    """Shell command making the remote configuration directory hold exactly what {dir} holds."""

    def api(self, timeout: float, retries: int) -> Api:
        """A client for the server, with credentials from the token file or the environment."""
        credentials = Credentials.load(self.name.upper(), self.token_file)
        return Api(Connection(self.name, self.url, credentials, timeout, retries))

    def store(self) -> Store:
        """Where the server's configuration files go."""
        option = f"--{self.name}"
        if self.directory is not None and (self.pull or self.push):
            raise UsageError(f"give either {option}-dir or {option}-pull/{option}-push, not both")
        if self.directory is not None:
            if not self.directory.is_dir():
                raise UsageError(f"{option}-dir {self.directory} is not a directory")
            return DirectoryStore(self.directory)
        if self.pull and self.push:
            return CommandStore(self.pull, self.push)
        raise UsageError(f"{option}-url needs where {self.name} reads its files: {option}-dir DIR, "
                         f"or {option}-pull and {option}-push commands for a remote directory")


READS = {"prometheus": f"prometheus/{prometheus.CONFIG}", "alertmanager": f"alertmanager/{alertmanager.CONFIG}",
         "grafana": grafana.DASHBOARDS}
"""What each server's part of out/ must hold."""


def _ordered(endpoints: list[Endpoint]) -> list[Endpoint]:
    given = [e for e in endpoints if e.url]
    if not given:
        raise UsageError("no server given: set --prometheus-url, --alertmanager-url or --grafana-url "
                         "(or PROMETHEUS_URL, ALERTMANAGER_URL, GRAFANA_URL)")
    return sorted(given, key=lambda e: ORDER.index(e.name))


def apply(out: Path, endpoints: list[Endpoint], timeout: float, retries: int, dry_run: bool,
          force: bool) -> list[Outcome]:
    """Apply out/ to every server given, Alertmanager first, then Prometheus, then Grafana.

    Every server's part is read and checked (validator, files its configuration names, the URL reaching it)
    before any is copied, and a server is applied only when all before it took their part: a refusal or a
    failure leaves the servers after it on the previous build, never half of out/ running.
    """
    ordered = _ordered(endpoints)
    require_built(out, *(READS[e.name] for e in ordered))
    # settings, links in out/ and unreadable dashboard files are errors before any server changes
    stores = {e.name: e.store() for e in ordered if e.name in RELOADABLE}
    dashboards = grafana.local_dashboards(out) if any(e.name == "grafana" for e in ordered) else []
    apis = {e.name: e.api(timeout, retries) for e in ordered}
    prepared = {name: reload.prepare(RELOADABLE[name], out, store, apis[name], dry_run, force)
                for name, store in stores.items()}
    refused = [each.refusal.server for each in prepared.values() if each.refusal is not None]
    stopped = (f"{' and '.join(refused)} could not take its part, so every server stays on the previous build"
               if refused and not dry_run else "")
    outcomes: list[Outcome] = []
    for endpoint in ordered:
        name = endpoint.name
        subject = stores[name].describe() if name in stores else hide_user_parts(endpoint.url)
        refusal = prepared[name].refusal if name in prepared else None
        if refusal is not None:
            outcomes.append(refusal)
        elif stopped:
            outcomes.append(Outcome(name, subject, Action.REFUSED, f"nothing copied: {stopped}"))
        elif name in RELOADABLE:
            outcomes.append(reload.install(RELOADABLE[name], out, prepared[name], stores[name], apis[name],
                                           dry_run))
            stopped = "" if outcomes[-1].ok or dry_run else f"{name} did not take its part (see above)"
        else:
            try:
                outcomes += grafana.apply(Grafana(apis[name]), out, force=force, dry_run=dry_run)
            except Exception as error:  # one server's surprise never drops the report of the others
                outcomes.append(Outcome(name, subject, Action.FAILED, f"{counted(len(dashboards), 'dashboard')}: "
                                                                      f"{reload.error_line(error)}"))
    return outcomes


def status_of(out: Path, endpoints: list[Endpoint], timeout: float, retries: int) -> list[Finding]:
    """What every server given runs, against out/."""
    ordered = _ordered(endpoints)
    require_built(out, *(READS[e.name] for e in ordered))
    apis = {e.name: e.api(timeout, retries) for e in ordered}
    return status.status(out, apis.get("prometheus"), apis.get("alertmanager"), apis.get("grafana"))
