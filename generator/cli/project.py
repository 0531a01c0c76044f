"""`obsgen init`: a new team's project."""

from pathlib import Path

import typer

from generator.cli.options import fail
from generator.cli.problems import where
from generator.core.wording import counted

PROJECT_DIRECTORY = typer.Argument(Path("."), help="Where to write the project (created if missing).")


def init(directory: Path = PROJECT_DIRECTORY,
         name: str = typer.Option("", "--name", help="The team or system name (default: the directory's).")) -> None:
    """Write a minimal working project for a new team: obsgen build and obsgen check pass on it at once."""
    from generator.scaffold import InitError, create

    try:
        written = create(directory, name)
    except (InitError, OSError) as error:
        fail(error)
    for path in written:
        typer.echo(f"wrote {where(str(path))}")
    typer.echo(f"obsgen init: {counted(len(written), 'file')}; next: cd {directory} && obsgen build && obsgen "
               f"check, then replace the placeholder addresses its README.md lists")
