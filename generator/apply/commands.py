"""The `obsgen apply` and `obsgen status` commands: their options, and the report they print.

Credentials never come from a flag value (it would land in shell history): a token file, or the environment
($GRAFANA_TOKEN, or $GRAFANA_USER and $GRAFANA_PASSWORD; the same for PROMETHEUS_ and ALERTMANAGER_).
"""

from pathlib import Path
from typing import Any

import typer

from generator.core.terminal import said
from generator.core.wording import counted

OUT = typer.Option(Path("out"), "--out", "-o", help="The built and checked out/ directory.")
DRY_RUN = typer.Option(False, "--dry-run", help="Print what would change (with diffs); change nothing.")
FORCE = typer.Option(False, "--force", help=(
    "Overwrite dashboards someone edited in Grafana since obsgen applied them, and apply out/ built for another "
    "Alertmanager or Prometheus release than the one running (with a warning)."))
TIMEOUT = typer.Option(10.0, "--timeout", min=0.1, help=(
    "Seconds to wait for each connection and answer; a request ends by 2 x timeout x attempts, its body included."))
RETRIES = typer.Option(3, "--retries", min=0, help="Retries after connection errors, 429/502/503/504 answers and "
                       "GET answers broken off.")
DEFINITIONS = typer.Option(None, "--definitions", "-d", help=(
    "The definitions out/ must be the build of (default: definitions/ beside out/, when there is one)."))
ALLOW_STALE = typer.Option(False, "--allow-stale",
                           help="Apply out/ even when it is not what the definitions build now.")


def _url(server: str, what: str) -> Any:
    return typer.Option("", f"--{server}-url", envvar=f"{server.upper()}_URL", help=f"Base URL of the running {what}.")


def _token_file(server: str) -> Any:
    prefix = server.upper()
    return typer.Option(None, f"--{server}-token-file", envvar=f"{prefix}_TOKEN_FILE",
                        help=f"File holding a bearer token (else ${prefix}_TOKEN, "
                             f"or ${prefix}_USER and ${prefix}_PASSWORD).")


def _directory(server: str, files: str) -> Any:
    return typer.Option(None, f"--{server}-dir", envvar=f"OBSGEN_{server.upper()}_DIR",
                        help=f"The directory {server} reads {files} from (where they are copied).")


def _command(server: str, verb: str, effect: str) -> Any:
    return typer.Option("", f"--{server}-{verb}", envvar=f"OBSGEN_{server.upper()}_{verb.upper()}",
                        help=f"Instead of --{server}-dir, for a remote server: shell command that {effect} {{dir}}.")


PROMETHEUS_URL = _url("prometheus", "Prometheus (started with --web.enable-lifecycle)")
PROMETHEUS_TOKEN_FILE = _token_file("prometheus")
PROMETHEUS_DIR = _directory("prometheus", "prometheus.yml and rules/")
PROMETHEUS_PULL = _command("prometheus", "pull", "copies its configuration directory into")
PROMETHEUS_PUSH = _command("prometheus", "push", "makes its configuration directory hold exactly")
ALERTMANAGER_URL = _url("alertmanager", "Alertmanager")
ALERTMANAGER_TOKEN_FILE = _token_file("alertmanager")
ALERTMANAGER_DIR = _directory("alertmanager", "alertmanager.yml and templates/")
ALERTMANAGER_PEER_URL = typer.Option([], "--alertmanager-peer-url", help=(
    "Base URL of another Alertmanager of the cluster (a pair's second), checked as --alertmanager-url's is: with one "
    "member down the other delivers alone, and only its own check tells. Repeatable; inside a live stack, its others."))
ALERTMANAGER_PULL = _command("alertmanager", "pull", "copies its configuration directory into")
ALERTMANAGER_PUSH = _command("alertmanager", "push", "makes its configuration directory hold exactly")
GRAFANA_URL = _url("grafana", "Grafana")
GRAFANA_TOKEN_FILE = _token_file("grafana")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {said(message)}", err=True)  # it may quote a server
    raise typer.Exit(code)


def apply(out: Path = OUT,
          prometheus_url: str = PROMETHEUS_URL, prometheus_dir: Path | None = PROMETHEUS_DIR,
          prometheus_pull: str = PROMETHEUS_PULL, prometheus_push: str = PROMETHEUS_PUSH,
          prometheus_token_file: Path | None = PROMETHEUS_TOKEN_FILE,
          alertmanager_url: str = ALERTMANAGER_URL, alertmanager_dir: Path | None = ALERTMANAGER_DIR,
          alertmanager_pull: str = ALERTMANAGER_PULL, alertmanager_push: str = ALERTMANAGER_PUSH,
          alertmanager_token_file: Path | None = ALERTMANAGER_TOKEN_FILE,
          grafana_url: str = GRAFANA_URL, grafana_token_file: Path | None = GRAFANA_TOKEN_FILE,
          dry_run: bool = DRY_RUN, force: bool = FORCE, timeout: float = TIMEOUT, retries: int = RETRIES,
          definitions: Path | None = DEFINITIONS, allow_stale: bool = ALLOW_STALE) -> None:
    """Put out/ onto running servers: check, copy and reload Prometheus and Alertmanager, upload dashboards. out/
    must be what the definitions build now (--allow-stale to apply it anyway), and built for the Alertmanager and
    Prometheus releases that run (--force to apply it anyway)."""
    from collections import Counter

    from generator.apply import freshness, run

    if definitions is not None and not definitions.is_dir():
        _fail(f"{definitions} is not a definitions directory")
    source = definitions or freshness.beside(out)
    if source is not None and not allow_stale:
        try:
            freshness.check_fresh(source, out)
        except freshness.StaleOut as error:
            _fail(f"{error}, or pass --allow-stale to apply out/ as it is")
        except ValueError as error:  # out/ itself refused (a link, not a tree)
            _fail(str(error))

    endpoints = [
        run.Endpoint("prometheus", prometheus_url, prometheus_token_file, prometheus_dir, prometheus_pull,
                     prometheus_push),
        run.Endpoint("alertmanager", alertmanager_url, alertmanager_token_file, alertmanager_dir, alertmanager_pull,
                     alertmanager_push),
        run.Endpoint("grafana", grafana_url, grafana_token_file),
    ]
    try:
        outcomes = run.apply(out, endpoints, timeout, retries, dry_run, force)
    except ValueError as error:  # settings, credentials files, unreadable dashboard files
        _fail(str(error))
        return
    for outcome in outcomes:
        typer.echo(said(str(outcome)))  # servers' and files' text: rule errors, a diff of file contents
        if outcome.diff:
            typer.echo("    " + said(outcome.diff.rstrip("\n")).replace("\n", "\n    "))
    counts = Counter(outcome.action.value for outcome in outcomes)
    summary = ", ".join(f"{counts[a]} {a}" for a in ("created", "updated", "unchanged", "refused", "failed"))
    typer.echo(f"obsgen apply{' --dry-run (nothing changed)' if dry_run else ''}: {summary}")
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(1)


def status(out: Path = OUT,
           prometheus_url: str = PROMETHEUS_URL, prometheus_token_file: Path | None = PROMETHEUS_TOKEN_FILE,
           prometheus_dir: Path | None = PROMETHEUS_DIR,
           alertmanager_url: str = ALERTMANAGER_URL, alertmanager_token_file: Path | None = ALERTMANAGER_TOKEN_FILE,
           alertmanager_dir: Path | None = ALERTMANAGER_DIR, alertmanager_peer_url: list[str] = ALERTMANAGER_PEER_URL,
           grafana_url: str = GRAFANA_URL, grafana_token_file: Path | None = GRAFANA_TOKEN_FILE,
           timeout: float = TIMEOUT, retries: int = RETRIES, definitions: Path | None = DEFINITIONS) -> None:
    """Whether the running servers run what out/ holds, and (given their directories) whether the files they would
    load at a restart are out/'s: exit 1 if not, or if out/ is not what the definitions build now. Also what fails
    in what they run (a rule's evaluation, links out/ escaped for another Alertmanager's UI: an error line, exit 1
    too, since they are then not known to be in sync with out/), and firing alerts."""
    from generator.apply import freshness, run
    from generator.apply.outcome import Finding, Kind
    from generator.apply.status import files_on_disk, peers_status

    endpoints = [run.Endpoint("prometheus", prometheus_url, prometheus_token_file),
                 run.Endpoint("alertmanager", alertmanager_url, alertmanager_token_file),
                 run.Endpoint("grafana", grafana_url, grafana_token_file)]
    try:
        findings = run.status_of(out, endpoints, timeout, retries)
        findings += peers_status(out, [run.Endpoint("alertmanager", url, alertmanager_token_file).api(timeout, retries)
                                       for url in alertmanager_peer_url])
        findings += files_on_disk(out, {"prometheus": prometheus_dir, "alertmanager": alertmanager_dir},
                                  {e.name: e.api(timeout, retries) if e.url else None for e in endpoints})
    except ValueError as error:
        _fail(str(error))
        return
    if definitions is not None and not definitions.is_dir():
        _fail(f"{definitions} is not a definitions directory")
    source = definitions or freshness.beside(out)
    if source is not None:
        try:
            freshness.check_fresh(source, out)
        except freshness.StaleOut as error:  # the servers may run out/, but out/ is not what the repository says
            findings.insert(0, Finding("out", Kind.DRIFT, str(out), str(error)))
        except ValueError as error:  # a file of out/ it cannot read (over its bound): said as out/'s other errors
            _fail(f"cannot tell whether {out} is what {source} builds: {error}")
    for finding in findings:
        typer.echo(said(str(finding)))  # rule errors, firing alerts, file names: servers' and files' text
    drifted = sum(finding.drift for finding in findings)
    errors = sum(finding.kind is Kind.ERROR for finding in findings)
    typer.echo(f"obsgen status: {_summary(drifted, errors, out)}")
    if drifted or errors:
        raise typer.Exit(1)


def _summary(drifted: int, errors: int, out: Path) -> str:
    """The status report's last line: in sync only when no line says a difference or an error."""
    if drifted:
        return f"{counted(drifted, 'difference')} from {out}" + (f", and {counted(errors, 'error')}" if errors else "")
    if errors:
        return f"not known to be in sync with {out}: {counted(errors, 'error')} (above)"
    return f"in sync with {out}"
