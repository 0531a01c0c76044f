"""`obsgen ack`: acknowledge an alert (silence it, with its escalation), list and end acknowledgements."""

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from generator.apply.silences import Matched

from generator.apply.commands import ALERTMANAGER_TOKEN_FILE, ALERTMANAGER_URL, RETRIES, TIMEOUT
from generator.cli.options import say_error

ALERT = typer.Argument("", help="The alert to acknowledge; its escalation is silenced with it. A LABEL=VALUE instead "
                                 "acknowledges a group of several alerts by its labels alone (job=api sli=absent: "
                                 "every SLIAbsent page of the job api), as its notification prints it.")
LABELS = typer.Argument(None, help='LABEL=VALUE (or !=, =~, !~) narrowing it: instance=web-1; read as amtool reads '
                                   'it: spaces around each part dropped; in the value, quoted or not, \\", \\\\ '
                                   'and \\n escaped.')
KNOWN_ALERTS = typer.Option(Path("out"), "--out", "-o", help="The built out/ whose alerts' names are checked.")
LONGEST = 7 * 86400.0
"""The longest acknowledgement without --force: one covers an incident being worked on through a weekend and a
handover (the shipped escalation ladders reach their top within hours); longer is a maintenance window, which
should be meant (--force), since it hides every later page of the alert."""


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
        force: bool = typer.Option(False, "--force", help="Acknowledge a name neither firing nor an alert of "
                                                           "out/, or for longer than 7d."),
        out: Path = KNOWN_ALERTS,
        alertmanager_url: str = ALERTMANAGER_URL, alertmanager_token_file: Path | None = ALERTMANAGER_TOKEN_FILE,
        timeout: float = TIMEOUT, retries: int = RETRIES) -> None:
    """Acknowledge an alert: a silence of it (and of its escalation levels) through Alertmanager's API; prints its id.

    Inside a live stack (`obsgen up`), its Alertmanager is used unless --alertmanager-url says otherwise.
    """
    from generator.apply.http import Api, ApiError, Connection, Credentials, Unreachable
    from generator.apply.silences import Matcher, acknowledge, expire, matching, silences
    from generator.core.duration import format_seconds, parse_seconds
    from generator.core.wording import counted

    if not alertmanager_url:
        _fail("no Alertmanager to talk to: give --alertmanager-url (or $ALERTMANAGER_URL), or run inside a live "
              "stack (obsgen up)")
    try:
        credentials = Credentials.load("ALERTMANAGER", alertmanager_token_file)
        api = Api(Connection("alertmanager", alertmanager_url, credentials, timeout, retries))
        if show:
            listed = silences(api)
            for silence in listed:  # an active one with what it mutes now: the page and its escalation, nothing else?
                muted = silence.muting(api)
                typer.echo(silence.shown(muted.count() if muted is not None else ""))
            if not listed:
                typer.echo(f"no active or pending silence on {alertmanager_url}", err=True)
        elif expire_id:
            ended = expire(api, expire_id)
            now = matching(api, list(ended.matchers))
            free = now.unsilenced()
            rest = len(now.labels) - len(free.labels)
            held = f"; {counted(rest, 'alert')} it matches still silenced by another silence" if rest else ""
            typer.echo(f"silence {expire_id} of {ended.selector} expired: {free.count()} "
                       f"it matches silenced no more, notified at their groups' next flush{held}", err=True)
        elif alert:
            named = not {"=", "~"} & set(alert)  # an alert's name, or a group's first label (every operator has one)
            matchers = [Matcher("alertname", alert) if named else Matcher.parse(alert),
                        *(Matcher.parse(text) for text in labels or ())]
            seconds = parse_seconds(lasting)
            if seconds > LONGEST and not force:
                _fail(f"--for {lasting} is longer than {format_seconds(LONGEST)}, the longest acknowledgement: one is "
                      "for an incident being worked on; give --force for a longer one (a maintenance window)")
            matched = matching(api, matchers)
            shown = f"{{{', '.join(map(str, matchers))}}}"
            if not matched.labels and not force and named:
                _check_name(alert, matching(api, []), out)
            typer.echo(f"{shown} matches {matched.count()}: {'; '.join(matched.instances()) or 'none firing now'}",
                       err=True)
            silence_id = acknowledge(api, matchers, timedelta(seconds=seconds), author or _author(), comment)
            typer.echo(silence_id)
            now = matching(api, matchers).silenced(silence_id)
            typer.echo(f"acknowledged {shown} for {lasting}, silencing {now.count()} now; end it with "
                       f"`obsgen ack --expire {silence_id}`", err=True)
        else:
            _fail("name the alert to acknowledge, or give --list or --expire ID")
    except (ApiError, Unreachable, ValueError) as error:
        _fail(str(error))


def _check_name(alert: str, held: "Matched", out: Path) -> None:
    """Refuse a name that is neither firing (held by Alertmanager) nor an alert of out/: a typo would otherwise be
    a silence of nothing, the operator believing the page acknowledged. An alert of out/ not firing yet may be
    acknowledged ahead (the count printed says it matches nothing now)."""
    import difflib

    from generator.apply.silences import project_alerts

    firing = {labels.get("alertname", "") for labels in held.labels}
    known = project_alerts(out)
    if alert in known | firing:
        return
    near = difflib.get_close_matches(alert, sorted(firing | known), n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    project = f"is no alert of {out}" if known else f"no {out}/ here to know the project's alerts by (give --out)"
    _fail(f"nothing acknowledged: {alert} is not firing and {project}{hint}; give --force to acknowledge it anyway")


def _fail(message: str) -> NoReturn:
    say_error(message)
    raise typer.Exit(1)
