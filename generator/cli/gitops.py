"""`obsgen import` and `obsgen diff`: what GitOps reviews, brought in and compared."""

from pathlib import Path

import typer

from generator.cli.options import DEFINITIONS, fail, say_error, warn
from generator.cli.problems import said, shown, where
from generator.core.wording import counted

IMPORTED = typer.Argument(..., help="Prometheus rule files, PrometheusRule manifests, Grafana dashboard JSON, or "
                                     "ConfigMaps/GrafanaDashboards holding dashboards.")


def import_files(
    files: list[Path] = IMPORTED,
    definitions: Path = DEFINITIONS,
    module: str = typer.Option("", "--module", "-m", help="Module name for a single file (default: from its name)."),
    force: bool = typer.Option(False, "--force", help="Replace modules that already exist."),
    folder: str = typer.Option("", "--folder", help="Grafana folder of imported dashboards (default: the one the "
                                                    "source names, else General)."),
    max_size: float = typer.Option(16, "--max-size", min=0, help="Largest file read, in MiB."),
    max_total: float = typer.Option(64, "--max-total", min=0, help="Most read from all the files together, in MiB "
                                                                   "(one import also takes at most 40,000 rules, "
                                                                   "dashboards, variables, panels and queries)."),
) -> None:
    """Write existing rules and dashboards into definitions/ as modules that build back to the same."""
    from generator.core.errors import DefinitionError
    from generator.importer.write import import_files as run_import

    try:
        report = run_import(files, definitions, module, force, folder, int(max_size * 2**20), int(max_total * 2**20))
    except DefinitionError as error:  # it may quote a name read from the file
        fail(error)  # every credential found, when there are several (SC001, as the build says them)
    for note in report.notes:
        warn(note)
    for path in report.modules:
        typer.echo(f"wrote {shown(where(str(path)))}")
    typer.echo(f"obsgen import: {counted(len(report.modules), 'module')}, {counted(report.groups, 'group')}, "
               f"{counted(report.alerts, 'alert')}, "
               f"{counted(report.records, 'recording rule')}, {counted(report.dashboards, 'dashboard')} "
               f"({counted(report.panels, 'panel')})")


DIFF_IMAGES = typer.Option(None, "--images", help="Draw each changed dashboard before and after into DIR/before and "
                                                   "DIR/after (PNG), linked from markdown.")


def diff_refs(
    base_ref: str = typer.Argument("", help="Base commit (default: merge-base of main, or master, and HEAD)."),
    head_ref: str = typer.Argument("", help="Head commit (default: the work tree, uncommitted changes included)."),
    definitions: Path = DEFINITIONS,
    output_format: str = typer.Option("text", "--format", "-f", help="text, or markdown for a PR comment."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when anything changed, like git diff."),
    images: Path | None = DIFF_IMAGES,
    prometheus: str = typer.Option("", "--prometheus", help="Data for --images (default: a temporary Prometheus "
                                                            "holding demo history)."),
    at: str = typer.Option("", "--at", help="The end of each dashboard's time range in --images: Unix seconds or "
                                            "RFC 3339 (default: now)."),
) -> None:
    """What a change does: both sides built from git, outputs compared by meaning (errors exit 2)."""
    from generator.analysis.diff.compare import diff
    from generator.analysis.diff.render import markdown, text
    from generator.analysis.diff.sides import DiffError, default_base, repository
    from generator.core.errors import DefinitionError
    from generator.preview.source import PreviewError

    if output_format not in ("text", "markdown"):
        say_error(f"--format must be text or markdown, not {output_format!r}")
        raise typer.Exit(2)
    if images is None and (prometheus or at):
        say_error("--prometheus and --at say how --images draws: give --images DIR too")
        raise typer.Exit(2)
    try:
        repo = repository(Path.cwd())
        relative = (Path.cwd() / definitions).resolve().relative_to(repo.resolve())
        draw = None
        if images is not None:
            from generator.cli.preview import require_extra

            require_extra()  # before anything of the extra is imported: without it, say how to install it
            from generator.cli.diff_images import drawer, drawn_at

            draw = drawer(images, prometheus, definitions, drawn_at(at))
        report = diff(repo, base_ref or default_base(repo), head_ref, relative, draw)
    except (DiffError, ValueError, DefinitionError, PreviewError) as error:
        say_error(str(error))
        raise typer.Exit(2) from None
    typer.echo(said((markdown if output_format == "markdown" else text)(report)), nl=False)  # imported values
    if exit_code and report.changed:
        raise typer.Exit(1)
