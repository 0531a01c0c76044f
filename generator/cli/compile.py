"""`obsgen build`, `check`, `list` and `latency`: the definitions compiled, checked and read."""

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from generator.cli import quick_build
from generator.cli.build_report import say_built
from generator.cli.options import DEFINITIONS, FORMAT, OUT, duration, fail, say_error, time_scale, warn_unpaired
from generator.cli.problems import Format, report, said, where
from generator.core.wording import counted

if TYPE_CHECKING:
    from generator.load.warm import WarmModules
    from generator.model.profile import Profile

CACHED = "(passed before on the same files)"
CHECKED = typer.Argument(Path("out"), help="Output directory to check.")
DOCS = typer.Option(None, "--docs", help="Write one Markdown page per check into this directory.")


def build(definitions: Path = DEFINITIONS, out: Path = OUT,
          quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print warnings."),
          scale: float = time_scale(1.0, "a compressed build needs --out other than out/"), output: Format = FORMAT,
          watch: bool = typer.Option(False, "--watch", "-w", help=(
              "Rebuild on every save under definitions/ (out/ swapped as a full build leaves it) until Ctrl-C.")),
          full: bool = typer.Option(False, "--full", help=(
              "Build in full even when nothing the last build read has changed (it is otherwise replayed)."))
          ) -> None:
    """Compile definitions/ into out/; every problem is listed, and on any error out/ is left as it was."""
    import gc

    gc.set_threshold(100_000, 50, 100)  # a one-shot compile keeps what it allocates: collecting often only costs
    profile = None
    if scale != 1.0:  # the models load only when needed: a replayed build never loads them
        from generator.model.profile import Profile

        if out.resolve() == Path("out").resolve():
            fail(ValueError("a time-compressed build must not replace out/: give --out DIR"))
        profile = Profile(time_scale=1 / scale)
    if watch:
        from generator.cli.watch import watch as watch_definitions
        from generator.load.warm import WarmModules
        from generator.package.tree import OutRefused, release_spare, replaceable

        try:
            replaceable(out)  # said once, not at every save
        except OutRefused as error:
            fail(error)

        warm = WarmModules()

        def rebuild() -> None:
            if _build_once(definitions, out, profile, output, quiet, warm):
                _unpaired(definitions, scale, quiet, warm)

        try:
            watch_definitions(definitions, rebuild)
        finally:
            release_spare(out)  # the old tree each rebuild kept beside out/ to make the next one in
    else:
        if not full and profile is None:
            quick_build.parsed(definitions, out, quiet, output)
        if not _build_once(definitions, out, profile, output, quiet, None, replay=not full):
            raise typer.Exit(1)
        _unpaired(definitions, scale, quiet, None)


def _unpaired(definitions: Path, scale: float, quiet: bool, warm: "WarmModules | None") -> None:
    """After a build that succeeded: whether the time scale lets an SLO's absent page fire after the TargetDown it
    mutes, said unless quiet. The build compressed its own copy of the definitions (or replayed one), so they are
    loaded again as written (with warm, a watch's modules: nothing runs again)."""
    if scale != 1.0 and not quiet:
        from generator.load.loader import load as load_definitions

        loaded = load_definitions(definitions, warm)
        if loaded.project is not None:
            warn_unpaired(loaded.project, scale)


def _build_once(definitions: Path, out: Path, profile: "Profile | None", output: Format, quiet: bool,
                warm: "WarmModules | None", *, replay: bool = True) -> bool:
    """One build with its problems and what it wrote said; whether it succeeded. With warm (a watching build):
    only changed modules run, and the files written and the time taken are said."""
    import gc
    import time

    from generator.core.errors import ProblemsFound
    from generator.package.tree import OutRefused
    from generator.replay import build as run_build

    started = time.perf_counter()
    try:
        # One-shot, what the pipeline's imports made (modules, classes: 58,000 objects for kube-prometheus) lives
        # until the process exits; frozen, no collection walks it again, and a build of that size then allocates
        # less than the threshold build() sets: one collection fewer, 30 ms of CPU. Not a watch: it would keep
        # each build's cyclic garbage for good.
        built = run_build(definitions, out, profile, warm, replay=replay,
                          imported=gc.freeze if warm is None else None)
    except ProblemsFound as error:
        report(error.problems, output, warnings=not quiet)
        if warm is not None:
            typer.echo(f"obsgen: {counted(len(error.problems), 'problem')}, {out}/ left as it was", err=True)
        return False
    except OutRefused as error:
        say_error(str(error))
        return False
    say_built(built, out, output, quiet, time.perf_counter() - started if warm is not None else None)
    return True


def check(out: Path = CHECKED, definitions: Path = DEFINITIONS,
          list_checks: bool = typer.Option(False, "--list", help="List every check's code and exit."),
          docs: Path = DOCS,
          output: Format = FORMAT,
          rerun: bool = typer.Option(False, "--rerun", help=(
              "Run every tool, also the rule and routing tests that passed before on the same files."))
          ) -> None:
    """Every check of the definitions and their files, then promtool/amtool on out/ and trace coverage."""
    if list_checks or docs:
        from generator.checks.docs import listing, write_pages

        if docs:
            write_pages(docs)
        else:
            typer.echo("\n".join(listing()))
        return
    from concurrent.futures import ThreadPoolExecutor

    from generator.build import compile_definitions
    from generator.checks import failed_examples, out_dashboards, telemetry, tools
    from generator.core.disk_cache import DiskCache, source_digest
    from generator.package.tree import require_built

    try:
        require_built(out)
    except ValueError as error:
        fail(error)
    # runs that passed, kept beside the definitions' other caches (nothing is kept in out/, which is committed)
    passed = DiskCache(definitions, "tools", source_digest(tools.__file__))
    with ThreadPoolExecutor(max_workers=1) as background:
        # promtool and amtool work while the definitions load and check
        running = background.submit(tools.run_all, out, passed=passed, reuse=not rerun)
        compiled = compile_definitions(definitions)
        checked = running.result()
    passed.save()
    report(compiled.report.problems, output)
    results = [*checked, out_dashboards.check(out),
               *(telemetry.run_all(out, compiled.project) if compiled.project else [])]
    failed = sum(not result.ok for result in results) + len(compiled.report.errors)
    for result in results:
        again = f" {CACHED}" if result.cached else ""
        typer.echo(f"{'ok  ' if result.ok else 'FAIL'} {result.name}{again}", err=output is not Format.TEXT)
        if result.output and (not result.ok or result.name.startswith(telemetry.DETAILED)):
            typer.echo("     " + said(where(result.output)).replace("\n", "\n     "), err=output is not Format.TEXT)
        if not result.ok and result.name.startswith(tools.RULE_TESTS) and compiled.project is not None:
            for line in failed_examples.places(result.output, compiled.project):
                typer.echo(f"     {said(line)}", err=output is not Format.TEXT)
    warnings = len(compiled.report.problems) - len(compiled.report.errors)
    cached = sum(result.cached for result in results)
    if cached:
        typer.echo(f"obsgen check: {counted(cached, 'run')} {CACHED} {'was' if cached == 1 else 'were'} not repeated "
                   "(--rerun repeats them)",
                   err=output is not Format.TEXT)
    typer.echo(f"obsgen check: {failed} failed ({counted(len(compiled.report.errors), 'error')}, "
               f"{counted(warnings, 'warning')} in the "
               "definitions)", err=output is not Format.TEXT)
    if failed:
        raise typer.Exit(1)


def list_definitions(definitions: Path = DEFINITIONS) -> None:
    """What is defined, of which kind, and where."""
    from generator.core.errors import Level, ProblemsFound
    from generator.load.loader import load as load_definitions

    loaded = load_definitions(definitions)  # what the modules define: the checks, targets and writer stay unloaded
    project = loaded.project
    if project is None or any(problem.level is Level.ERROR for problem in loaded.problems):
        fail(ProblemsFound(sorted(loaded.problems, key=lambda problem: problem.order)))
    for obj in project.objects:
        name = getattr(obj, "name", "")
        typer.echo(said(f"{type(obj).__name__:<20} {name:<48} {project.relative(obj.location)}"))


def latency(definitions: Path = DEFINITIONS, scale: float = time_scale(1.0, "the bounds of a build compressed so"),
            scrape_interval: str = typer.Option("", "--scrape-interval", callback=duration,
                                                help="Override the scrape interval.")) -> None:
    """Static upper bound per alert: change -> firing (detect) -> notification (notify); see docs/configuration.md."""
    from generator.analysis.latency_report import report as latency_report
    from generator.build import load
    from generator.core.errors import DefinitionError
    from generator.derive.time_compression import apply
    from generator.model.profile import Profile

    try:
        project = load(definitions)
        if scale != 1.0:
            warn_unpaired(project, scale, scrape_interval)
        if scale != 1.0 or scrape_interval:
            project = apply(project, Profile(time_scale=1 / scale, scrape_interval=scrape_interval))
    except (DefinitionError, ValueError) as error:
        fail(error)
    lines, missed = latency_report(project)
    typer.echo("\n".join(lines))
    if missed:
        raise typer.Exit(1)
