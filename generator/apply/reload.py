"""Check, copy, reload, verify, and undo on failure: how new files reach Prometheus and Alertmanager."""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from prometheus_client.parser import text_string_to_metric_families

from generator.apply import referenced
from generator.apply.files import Change, CommandError, Files, OwnerKept, Store, collect_out, materialise, unified_diff
from generator.apply.http import Api, ApiError, Unreachable, hide_user_parts
from generator.apply.outcome import Action, Outcome
from generator.core.releases import ordered

SHOWN_DIFFERENCES = 5


class Declared(NamedTuple):
    """What out/<server> says of the release it was built for, read from it once."""

    release: str
    """X.Y.Z."""
    set_in: str = ""
    """Where it was set (the Stack's field at file:line, its default, a build profile); "" when out/ does not say."""
    setting: str = ""
    """The setting that changes it; "" when out/ does not say."""


@dataclass(frozen=True)
class Release:
    """Where a server says which release it runs, and where out/ says which one its files were built for: apply
    refuses files built for another X.Y before any copy unless forced (what obsgen writes for a release changes at
    X.Y.0 releases only, so a patch release apart is the same), and warns of them when forced."""

    product: str
    """As the server's project names itself: "Prometheus"."""
    setting: str
    """The definitions' setting of the release: "Stack.prometheus_version"."""
    status: str
    """The API path whose answer says the running release; asked once per apply and passed to what needs it."""
    running: Callable[[Any], str]
    """The release in that answer, "" when it reports none."""
    declared: Callable[[Path, Files], Declared | None]
    """The release out/<server> (and its files read from it) was built for, with where it was set and the setting
    that changes it when out/ says (else `setting` is named for both), all from one read; None when it declares
    none."""
    written: str
    """What out/ writes for that release: "its rules and configuration are written"."""


@dataclass(frozen=True)
class ReloadableServer:
    """A server that reads configuration files and reloads them on POST /-/reload."""

    name: str
    """Also the directory of its files under out/."""
    config: str
    """The main configuration file, relative to the configuration directory."""
    patterns: tuple[str, ...]
    """The files obsgen owns in the server's configuration directory (the config and what it includes)."""
    validator: tuple[str, ...]
    """The stack's own check, run on the config file: promtool check config, amtool check-config."""
    differences: Callable[[Api, Files], list[str]]
    """How what the live server runs differs from these files; empty when it runs exactly them."""
    release: Release
    """How apply tells the release the server runs from the one out/ was built for."""
    included_validator: tuple[str, ...] = ()
    """The stack's own check of the other files (the config's includes), run on them all at once when the validator
    leaves them out: promtool check rules."""
    before_reload: Callable[[Api, Files, Any], list[str]] = lambda api, files, status: []
    """What reloading these files would do that the user must hear, asked of the server before it reloads, given
    the answer at release.status read before any copy (None when it could not be read) (Alertmanager: the PagerDuty
    incidents of its firing groups the new routes would orphan)."""
    around_reload: Callable[[Api, Files], Callable[[], list[str]]] = lambda api, files: lambda: []
    """Called just before the reload; what it returns is called once the reload is verified and says what the reload
    did that the user must hear (Prometheus: the alert notifications it dropped until its notifier found its
    Alertmanagers again, apply/notifier.py)."""


@dataclass(frozen=True)
class Prepared:
    """out/<server>/'s files as checked before any copy, with what the server said then."""

    files: Files
    refusal: Outcome | None = None
    """Why they may not be copied, None when they may."""
    status: Any = None
    """The server's answer at release.status, None when it could not be read."""
    other: str = ""
    """Why they were built for another release than the server runs ("" when not): under --force only, since apply
    refuses them otherwise."""


def _warned(server: ReloadableServer, api: Api, prepared: Prepared) -> str:
    """Another release's warning (under --force) and before_reload's warnings as lines under the outcome's ("" for
    none); never an error that stops a reload."""
    warnings = [f"{prepared.other} (applied anyway: --force)"] if prepared.other else []
    try:
        warnings += server.before_reload(api, prepared.files, prepared.status)
    except Exception as error:  # a warning that cannot be worked out must not stop the deploy, only say so
        warnings.append(f"could not tell what reloading does to what the server holds: {error_line(error)}")
    return _under(warnings)


def read_status(server: ReloadableServer, api: Api) -> Any:
    """The server's answer at release.status, None when it gives none: the checks that read it are best effort."""
    try:
        return api.get(server.release.status)
    except Exception:  # a server that does not say is not refused for it
        return None


def other_release(server: ReloadableServer, status: Any, source: Path, files: Files) -> str:
    """Why the files of out/<server> (source) were built for another X.Y than the server runs, given its answer at
    release.status: "" when they were not, or when either release is unknown."""
    release = server.release
    try:
        running = release.running(status) if status is not None else ""
    except Exception:  # an answer of another shape says no release
        running = ""
    declared = release.declared(source, files) if running else None
    if not running or declared is None or ordered(running)[:2] == ordered(declared.release)[:2]:
        return ""
    set_in = declared.set_in or release.setting
    return (f"the server runs {release.product} {running}, but out/{server.name} was built for {declared.release} "
            f"({set_in}): {release.written} for {declared.release}; "
            f"{rebuild_for(declared.setting or release.setting, release.product, running)}")


PROFILED = "Profile."
"""How a release's setting starts when a build profile set it (out/prometheus/release.yml's setting, obsgen.tmpl's)."""


def rebuild_for(setting: str, product: str, running: str) -> str:
    """What to do so that out/ is built for the release the server runs, given the setting that chose out/'s. A
    build profile's (the one `obsgen up` builds its stack's out/ with, for the releases installed where it runs) is
    no line of the definitions: the user restarts that stack, or applies the out/ `obsgen build` writes."""
    if not setting.startswith(PROFILED):
        return f'set {setting}="{running}" and rebuild'
    return (f"this out/ is the build `obsgen up` made for the releases installed when it started: restart the live "
            f"stack (`obsgen down`, then `obsgen up`) to build it for {product} {running}, or apply the out/ "
            f"`obsgen build` writes from the definitions")


def _under(warnings: list[str]) -> str:
    """Warnings as the lines under an outcome's."""
    return "".join(f"\n    WARNING: {warning}" for warning in warnings)


def gauge(api: Api, name: str) -> float | None:
    """The value of an unlabelled gauge in the server's own /metrics, None if absent."""
    for family in text_string_to_metric_families(api.text("/metrics")):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    return None


def written(value: float) -> str:
    """A sample's value as Prometheus writes it: NaN, +Inf, -Inf, else as %g writes it."""
    if math.isnan(value):
        return "NaN"
    return f"{value:g}" if math.isfinite(value) else "+Inf" if value > 0 else "-Inf"


def check(server: ReloadableServer, files: Files) -> str:
    """Run the server's own validators on the files staged as they will be laid out; empty if they pass."""
    with tempfile.TemporaryDirectory(prefix=f"obsgen-{server.name}-") as scratch:
        staged = Path(scratch)
        materialise(files, staged)
        if shutil.which(server.validator[0]) is None:
            return f"{server.validator[0]} not found: install Debian's prometheus / prometheus-alertmanager"
        included = sorted(name for name in files if name != server.config)
        for tool, named in ((server.validator, [server.config]), (server.included_validator, included)):
            if not tool or not named:
                continue
            proc = subprocess.run([*tool, *named], cwd=staged, capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                failures = [line for line in (proc.stdout + proc.stderr).strip().splitlines()  # what failed only
                            if line.strip() and "SUCCESS" not in line
                            and (not line.startswith("Checking") or "FAILED" in line)]
                return f"{' '.join(tool)} rejected it:\n" + "\n".join(failures)
        return ""


def error_line(error: Exception) -> str:
    """An error as one line of the report: never empty, and with its type when it is not one of the errors a
    server or a copy command is expected to give (an answer of the wrong shape, a parser's complaint)."""
    text = hide_user_parts(str(error).strip()) or "no message"  # a push command may hold user:password@
    expected = isinstance(error, (ApiError, Unreachable, CommandError, OSError))
    return text if expected else f"{type(error).__name__}: {text}"


def answers_as(server: ReloadableServer, api: Api) -> str:
    """Empty when the URL reaches the server itself (its /metrics has its reload gauge), else why not: a wrong URL
    answering 200 with a sign-in page must stop apply before any file is copied, not after."""
    name = f"{server.name}_config_last_reload_successful"
    try:
        if gauge(api, name) is not None:
            return ""
    except (ApiError, Unreachable) as error:
        return str(error)
    except ValueError:  # not the text format: a web page, another kind of server
        pass
    return f"{api.url} answers, but not as {server.name}: its /metrics has no {name}"


def _shown(differences: list[str]) -> str:
    more = len(differences) - SHOWN_DIFFERENCES
    return "; ".join(differences[:SHOWN_DIFFERENCES]) + (f" (and {more} more)" if more > 0 else "")


def _reload_and_verify(server: ReloadableServer, api: Api, files: Files) -> str:
    """Empty when the server reloaded and runs the files, else what went wrong."""
    try:
        api.post("/-/reload")
    except ApiError as error:
        return f"reload failed: {error.message}"
    except Unreachable as error:
        return str(error)
    try:
        differences = server.differences(api, files)
    except Exception as error:  # any answer but the server's own is a failed verification, never a crash
        return f"reloaded, but could not verify: {error_line(error)}"
    return f"reloaded, but the server does not run the new files: {_shown(differences)}" if differences else ""


def _reload(server: ReloadableServer, api: Api, files: Files) -> tuple[str, str]:
    """_reload_and_verify's problem, and around_reload's lines under the outcome's ("" when it says nothing); what
    around_reload cannot work out is said, never an error that undoes a reload."""
    after: Callable[[], list[str]] = list
    unknown = ""
    try:
        after = server.around_reload(api, files)
    except Exception as error:  # read before the reload: a warning, the reload goes on
        unknown = error_line(error)
    problem = _reload_and_verify(server, api, files)
    if problem:
        return problem, ""
    warnings: list[str] = []
    try:
        warnings = after()
    except Exception as error:  # after the reload: the reload stands, the outcome says what could not be told
        unknown = error_line(error)
    if unknown:
        warnings = [f"could not tell what the reload did: {unknown}"]
    return "", _under(warnings)


def _restore(server: ReloadableServer, store: Store, api: Api, previous: Files, problem: str) -> Outcome:
    try:
        store.replace(previous, server.patterns)
    except (CommandError, OSError) as error:
        return Outcome(server.name, store.describe(), Action.FAILED,
                       f"{problem}; restoring the previous files failed too, fix by hand: {error_line(error)}")
    try:
        api.post("/-/reload")
        undone = "previous files restored and reloaded"
    except Exception as error:
        undone = f"previous files restored, but reloading them failed too: {error_line(error)}"
    return Outcome(server.name, store.describe(), Action.FAILED, f"{problem}; {undone}")


def _apply(server: ReloadableServer, source: Path, prepared: Prepared, store: Store, api: Api,
           dry_run: bool) -> Outcome:
    where, new = store.describe(), prepared.files
    old = store.read(server.patterns)
    change = Change.between(old, new)
    if not change:
        differences = server.differences(api, new)
        if not differences:
            return Outcome(server.name, where, Action.UNCHANGED, "files in place and loaded", planned=dry_run)
        warned = _warned(server, api, prepared)
        if dry_run:
            return Outcome(server.name, where, Action.UPDATED,
                           f"files in place but not loaded ({_shown(differences)}); would reload{warned}", planned=True)
        problem, told = _reload(server, api, new)
        if problem:
            return Outcome(server.name, where, Action.FAILED,
                           f"{problem}; does the server read its configuration from {where}?")
        return Outcome(server.name, where, Action.UPDATED, f"files were in place; reloaded and verified{warned}{told}")
    warned = _warned(server, api, prepared)
    if dry_run:
        return Outcome(server.name, where, Action.UPDATED, f"{change.summary()}; would reload{warned}", planned=True,
                       diff=unified_diff(old, new, where, str(source)))
    try:
        store.replace(new, server.patterns)
    except OwnerKept as error:  # raised while staging, before any file was replaced
        return Outcome(server.name, where, Action.FAILED, f"nothing copied, not reloaded: {error}")
    except Exception as error:
        return _restore(server, store, api, old, f"copying failed: {error_line(error)}")
    try:
        problem, told = _reload(server, api, new)
    except Exception as error:  # whatever happens once files are copied, the previous ones go back
        problem, told = f"stopped after copying: {error_line(error)}", ""
    if problem:
        return _restore(server, store, api, old, problem)
    return Outcome(server.name, where, Action.UPDATED, f"{change.summary()}; reloaded and verified{warned}{told}")


def prepare(server: ReloadableServer, out: Path, store: Store, api: Api, dry_run: bool,
            force: bool = False) -> Prepared:
    """out/<server>/'s files and, when they may not be copied, the outcome saying why: its validator rejects them,
    a file its configuration names is not on the server, the URL does not reach the server, or (unless force) they
    were built for another release than the server runs. Asks release.status once, for every step after it too.
    Changes nothing; OutFileError (a ValueError) for a symbolic link or special file in out/."""
    where, source = store.describe(), out / server.name
    new = collect_out(source, server.patterns)
    if server.config not in new:
        return Prepared(new, Outcome(server.name, where, Action.FAILED, f"{source} holds no {server.config}"))
    problem = check(server, new)
    if not problem:
        unusable = referenced.unusable(new[server.config], store, server.config)
        if unusable:
            problem = (f"{server.config} names files the server cannot use, so what reads them (notifications, "
                       f"scrapes) would fail: {'; '.join(unusable)}")
    if problem:
        return Prepared(new, Outcome(server.name, where, Action.REFUSED, f"nothing copied, not reloaded: {problem}",
                                     planned=dry_run))
    unreachable = answers_as(server, api)
    if unreachable:
        return Prepared(new, Outcome(server.name, where, Action.FAILED, f"nothing changed: {unreachable}",
                                     planned=dry_run))
    status = read_status(server, api)
    other = other_release(server, status, source, new)
    if other and not force:
        return Prepared(new, Outcome(server.name, where, Action.REFUSED, f"nothing copied, not reloaded: {other}, or "
                                                                          "pass --force to apply it anyway",
                                     planned=dry_run), status)
    return Prepared(new, None, status, other)


def install(server: ReloadableServer, out: Path, prepared: Prepared, store: Store, api: Api,
            dry_run: bool) -> Outcome:
    """Copy prepared files, reload and verify; undo what the server does not load."""
    try:
        return _apply(server, out / server.name, prepared, store, api, dry_run)
    except Exception as error:  # raised before anything was copied: _apply restores whatever fails after
        return Outcome(server.name, store.describe(), Action.FAILED, f"nothing changed: {error_line(error)}",
                       planned=dry_run)


def apply(server: ReloadableServer, out: Path, store: Store, api: Api, dry_run: bool = False,
          force: bool = False) -> Outcome:
    """Put out/<server>/ onto the server: refuse what it could not use, undo what it does not load."""
    prepared = prepare(server, out, store, api, dry_run, force)
    return prepared.refusal or install(server, out, prepared, store, api, dry_run)
