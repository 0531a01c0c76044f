"""`obsgen ack`: acknowledge an alert (silence it, with its escalation), list and end acknowledgements."""

from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import typer

from generator.apply.commands import ALERTMANAGER_TOKEN_FILE, ALERTMANAGER_URL, RETRIES, TIMEOUT

ALERT = typer.Argument("", help="The alert to acknowledge; its escalation is silenced with it.")
LABELS = typer.Argument(None, help="LABEL=VALUE (or !=, =~, !~) narrowing it: instance=web-1.")


def _author() -> str:
    import getpass  # with socket, only for the default author: `obsgen --help` does not load them
    import socket

    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):
        return "obsgen ack"


def ack(alert: str = ALERT, labels: list[str] = LABELS,
        lasting: str = typer.Option("2h", "--for", help="How long the acknowledgement lasts."),
        comment: str = typer.Option("acknowledged", "--comment", help="Why, for whoever sees the silence."),
        author: str = typer.Option("", "--author", help="Who acknowledges (default: user@host)."),
        show: bool = typer.Option(False, "--list", help="List active and pending silences instead."),
        expire_id: str = typer.Option("", "--expire", metavar="ID", help="End that silence now instead."),
        alertmanager_url: str = ALERTMANAGER_URL, alertmanager_token_file: Path | None = ALERTMANAGER_TOKEN_FILE,
        timeout: float = TIMEOUT, retries: int = RETRIES) -> None:
    """Acknowledge an alert: a silence of it (and of its escalation levels) through Alertmanager's API; prints its id.

    Inside a live stack (`obsgen up`), its Alertmanager is used unless --alertmanager-url says otherwise.
    """
    from generator.apply.http import Api, ApiError, Connection, Credentials, Unreachable
    from generator.apply.silences import Matcher, acknowledge, expire, silences
    from generator.core.duration import parse_seconds

    if not alertmanager_url:
        _fail("no Alertmanager to talk to: give --alertmanager-url (or $ALERTMANAGER_URL), or run inside a live "
              "stack (obsgen up)")
    try:
        credentials = Credentials.load("ALERTMANAGER", alertmanager_token_file)
        api = Api(Connection("alertmanager", alertmanager_url, credentials, timeout, retries))
        if show:
            for silence in silences(api):
                typer.echo(str(silence))
        elif expire_id:
            expire(api, expire_id)
            typer.echo(f"silence {expire_id} expired: notifications it held back resume", err=True)
        elif alert:
            matchers = [Matcher("alertname", alert), *(Matcher.parse(text) for text in labels or ())]
            silence_id = acknowledge(api, matchers, timedelta(seconds=parse_seconds(lasting)), author or _author(),
                                     comment)
            typer.echo(silence_id)
            typer.echo(f"acknowledged {{{', '.join(map(str, matchers))}}} for {lasting}; end it with "
                       f"`obsgen ack --expire {silence_id}`", err=True)
        else:
            _fail("name the alert to acknowledge, or give --list or --expire ID")
    except (ApiError, Unreachable, ValueError) as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
