"""`obsgen status --prometheus-dir/--alertmanager-dir`: the files a server reads, on disk, against out/, and whether
it has loaded them since they changed. What is on disk is what the next restart runs; and Alertmanager shows
nothing of its templates, so only its directory tells whether they are out/'s."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.apply.files import Change, collect
from generator.apply.http import Api
from generator.apply.outcome import Finding, Kind
from generator.apply.reload import ReloadableServer, gauge, written
from generator.core.wording import counted


def _when(seconds: float) -> str | None:
    """A Unix time as the report writes it, None when it is none (NaN, ±Inf, out of the calendar's range)."""
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):
        return None


def on_disk(server: ReloadableServer, out: Path, directory: Path, api: Api | None) -> list[Finding]:
    """Each file of the server's directory that is not out/'s, and each changed after the server's last successful
    reload (when its API is given): DRIFT lines; one OK line when there are none."""
    if not directory.is_dir():
        raise ValueError(f"--{server.name}-dir {directory} is not a directory")
    theirs = collect(directory, server.patterns)
    change = Change.between(collect(out / server.name, server.patterns), theirs)
    where = str(directory)
    findings = [Finding(server.name, Kind.DRIFT, where, f"{path} {what}") for paths, what in (
        (change.changed, "differs on disk from out/"), (change.added, "is on disk, not in out/"),
        (change.removed, "is in out/, not on disk")) for path in paths]
    name = f"{server.name}_config_last_reload_success_timestamp_seconds"
    loaded = gauge(api, name) if api else None
    since = _when(loaded) if loaded is not None else None
    if loaded is not None and since is None:  # a broken or hostile /metrics: no time to compare the files with
        findings.append(Finding(server.name, Kind.DRIFT, where, f"{name} is {written(loaded)}, no time: whether the "
                                                                "server loaded these files is unknown"))
        loaded = None
    elif loaded is not None:
        findings += [Finding(server.name, Kind.DRIFT, where,
                             f"{path} changed on disk after the last reload ({since}): the server does not run it")
                     for path in sorted(theirs) if (directory / path).stat().st_mtime > loaded]
    return findings or [Finding(server.name, Kind.OK, where, f"{counted(len(theirs), 'file')} as in out/"
                                + (", none changed since the last reload" if loaded is not None else ""))]
