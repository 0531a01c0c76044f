"""The obsgen command line (typer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from generator.apply import commands as apply_commands  # options only; the HTTP clients load when a command runs

app = typer.Typer(help="Observability as code: compile definitions/ into the monitoring stack's configuration.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

DEFINITIONS = typer.Option(Path("definitions"), "--definitions", "-d", help="Definitions package directory.")
CHECKED = typer.Argument(Path("out"), help="Output directory to check.")
IMPORTED = typer.Argument(..., help="Prometheus rule files, PrometheusRule manifests, Grafana dashboard JSON, or "
                                     "ConfigMaps/GrafanaDashboards holding dashboards.")
OUT = typer.Option(Path("out"), "--out", "-o", help="Output directory (replaced atomically).")


def _time_scale(default: float) -> Any:
    return typer.Option(default, "--time-scale", min=1.0,
                        help="Compress time N-fold: 60 turns every for, cooldown, escalation delay and PromQL range "
                             "of an hour into a minute (a compressed build needs --out other than out/).")


STATE = typer.Option(Path(".live"), "--state-dir", help="Where the live stack keeps its state, data and logs.")


def _where(text: str) -> str:
    """Paths in messages relative to the working directory when they are under it."""
    cwd = os.getcwd() + os.sep
    return text.replace(cwd, "")


def _fail(error: Exception) -> None:
    typer.echo(f"error: {_where(str(error))}", err=True)
    raise typer.Exit(1)


@app.command()
def build(definitions: Path = DEFINITIONS, out: Path = OUT,
          quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print warnings."),
          time_scale: float = _time_scale(1.0)) -> None:
    """Compile definitions/ into out/; on any error out/ is left as it was."""
    import gc

    gc.set_threshold(100_000, 50, 100)  # a one-shot compile keeps what it allocates: collecting often only costs
    from generator.build import build as run_build
    from generator.core.errors import DefinitionError
    from generator.model.profile import Profile

    if time_scale != 1.0 and out.resolve() == Path("out").resolve():
        _fail(ValueError("a time-compressed build must not replace out/: give --out DIR"))
    try:
        profile = Profile(time_scale=1 / time_scale) if time_scale != 1.0 else None
        project, report = run_build(definitions, out, profile)
    except DefinitionError as error:
        _fail(error)
        return
    if not quiet:
        for warning in project.warnings:
            typer.echo(_where(str(warning)), err=True)
    typer.echo(f"obsgen: {len(report.written)} written, {len(report.unchanged)} unchanged, "
               f"{len(report.removed)} removed in {out}/")


@app.command()
def check(out: Path = CHECKED, definitions: Path = DEFINITIONS,
          list_rules: bool = typer.Option(False, "--list", help="List the dashboard lint rules and exit.")) -> None:
    """Run promtool/amtool on out/, the dashboard lint, collector/Tempo/Loki config checks and trace coverage."""
    from generator.build import load
    from generator.checks import telemetry
    from generator.checks.lint import describe, lint_project
    from generator.checks.tools import run_all
    from generator.core.errors import DefinitionError

    if list_rules:
        for line in describe():
            typer.echo(line)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as background:
        tools = background.submit(run_all, out)  # promtool and amtool work while the definitions load and lint
        try:
            project = load(definitions)
            linted = lint_project(project)
        except DefinitionError as error:
            _fail(error)
            return
        checked = tools.result()
    failed = 0
    for result in checked + linted + telemetry.run_all(out, project):
        typer.echo(f"{'ok  ' if result.ok else 'FAIL'} {result.name}")
        failed += not result.ok
        if result.output and (not result.ok or result.name.startswith(telemetry.DETAILED)):
            typer.echo("     " + _where(result.output).replace("\n", "\n     "))
    typer.echo(f"obsgen check: {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_definitions(definitions: Path = DEFINITIONS) -> None:
    """What is defined, of which kind, and where."""
    from generator.build import load
    from generator.core.errors import DefinitionError

    try:
        project = load(definitions)
    except DefinitionError as error:
        _fail(error)
        return
    for obj in project.objects:
        name = getattr(obj, "name", "")
        typer.echo(f"{type(obj).__name__:<20} {name:<48} {project.relative(obj.location)}")


app.command("apply")(apply_commands.apply)
app.command("status")(apply_commands.status)
@app.command("import")
def import_files(
    files: list[Path] = IMPORTED,
    definitions: Path = DEFINITIONS,
    module: str = typer.Option("", "--module", "-m", help="Module name for a single file (default: from its name)."),
    force: bool = typer.Option(False, "--force", help="Replace modules that already exist."),
    folder: str = typer.Option("", "--folder", help="Grafana folder of imported dashboards (default: the one the "
                                                    "source names, else General)."),
) -> None:
    """Write existing rules and dashboards into definitions/ as modules that build back to the same."""
    from generator.core.errors import DefinitionError
    from generator.importer.write import import_files as run_import

    try:
        report = run_import(files, definitions, module, force, folder)
    except DefinitionError as error:
        _fail(error)
        return
    for note in report.notes:
        typer.echo(_where(f"warning: {note}"), err=True)
    for path in report.modules:
        typer.echo(f"wrote {_where(str(path))}")
    typer.echo(f"obsgen import: {len(report.modules)} modules, {report.groups} groups, {report.alerts} alerts, "
               f"{report.records} recording rules, {report.dashboards} dashboards ({report.panels} panels)")


@app.command("diff")
def diff_refs(
    base_ref: str = typer.Argument("", help="Base commit (default: merge-base of main and HEAD)."),
    head_ref: str = typer.Argument("", help="Head commit (default: the work tree, uncommitted changes included)."),
    definitions: Path = DEFINITIONS,
    output_format: str = typer.Option("text", "--format", "-f", help="text, or markdown for a PR comment."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when anything changed, like git diff."),
) -> None:
    """What a change does: both sides built from git, outputs compared by meaning (errors exit 2)."""
    from generator.analysis.diff.compare import diff
    from generator.analysis.diff.render import markdown, text
    from generator.analysis.diff.sides import DiffError, default_base, repository

    if output_format not in ("text", "markdown"):
        typer.echo(f"error: --format must be text or markdown, not {output_format!r}", err=True)
        raise typer.Exit(2)
    try:
        repo = repository(Path.cwd())
        relative = (Path.cwd() / definitions).resolve().relative_to(repo.resolve())
        report = diff(repo, base_ref or default_base(repo), head_ref, relative)
    except (DiffError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo((markdown if output_format == "markdown" else text)(report), nl=False)
    if exit_code and report.changed:
        raise typer.Exit(1)


from generator.exporter import commands as _exporter  # noqa: E402  (its heavy imports are lazy)

app.command("exporter")(_exporter.exporter)
app.command("demo-db")(_exporter.demo_db)
app.add_typer(_exporter.forecast_app, name="forecast")


@app.command()
def latency(definitions: Path = DEFINITIONS, time_scale: float = _time_scale(1.0),
            scrape_interval: str = typer.Option("", "--scrape-interval", help="Override the scrape interval.")) -> None:
    """Static upper bound per alert: change -> firing (detect) -> notification (notify); see docs/configuration.md."""
    from generator.analysis.latency import report
    from generator.build import load
    from generator.core.errors import DefinitionError
    from generator.derive.time_compression import apply
    from generator.model.profile import Profile

    try:
        project = load(definitions)
        if time_scale != 1.0 or scrape_interval:
            project = apply(project, Profile(time_scale=1 / time_scale, scrape_interval=scrape_interval))
    except (DefinitionError, ValueError) as error:
        _fail(error)
        return
    lines, missed = report(project)
    typer.echo("\n".join(lines))
    if missed:
        raise typer.Exit(1)


@app.command()
def up(definitions: Path = DEFINITIONS, state_dir: Path = STATE, time_scale: float = _time_scale(60.0),
       free_ports: bool = typer.Option(False, "--free-ports", help="Free ports, not 9090, 9093, 9100, ..."),
       alertmanagers: int = typer.Option(1, "--alertmanagers", min=1, max=3,
                                         help="2 or 3 run a cluster on loopback, as production's HA pair.")) -> None:
    """Start the live local stack (Prometheus, Alertmanager, node-exporter, demo app, sinks) and print its URLs."""
    import time

    from generator.core.errors import DefinitionError
    from generator.live.stack import Options, describe
    from generator.live.stack import up as start

    began = time.monotonic()
    try:
        stack = start(Options(definitions, state_dir, time_scale, free_ports=free_ports, alertmanagers=alertmanagers))
    except (DefinitionError, RuntimeError) as error:
        _fail(error)
        return
    typer.echo(f"obsgen: live stack up in {time.monotonic() - began:.1f} s, time {time_scale:g}x faster "
               f"(state in {_where(str(stack.state_dir))}):")
    typer.echo(describe(stack))
    typer.echo("stop it with `make down` (obsgen down)")


@app.command()
def down(state_dir: Path = STATE) -> None:
    """Stop exactly what `obsgen up` started, after reporting the pipeline's self-scrape availability."""
    from generator.live.stack import down as stop

    measured, stopped = stop(state_dir)
    for availability in measured:
        typer.echo(f"self-scrape availability {availability}")
    for process, outcome in stopped:
        typer.echo(f"{process.name:<15} pid {process.pid:<8} {outcome}")
    if not stopped:
        typer.echo(f"obsgen: nothing recorded in {state_dir} was running")


def main() -> None:
    """Entry point for python -m generator."""
    app(prog_name="obsgen")


if __name__ == "__main__":
    main()
