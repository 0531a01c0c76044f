"""The live stack's state directory: `up` empties what an earlier `up` left in it, so it must be one `up` made.

`obsgen up --state-dir .` (or ~, or a project directory) would otherwise delete the project's committed out/,
its logs/ and anything else named like the stack's own files, before the definitions are even read.
"""

from __future__ import annotations

from pathlib import Path

MARKER = ".obsgen-live"
"""Written by `up` into every state directory it uses; what makes a directory one `up` may empty again."""
OWN_ENTRIES = frozenset({MARKER, "out", "prometheus-data", "notifications", "logs",
                         "backfill", "state.json", "state.tmp", "pagerduty-routing-key", "history.om",
                         "backfill-prometheus.yml", "backfill-rules.yml"})
"""Everything an `up` writes at the top of its state directory (with alertmanager*-data): a directory holding
only these (and out/'s lock and staging, the demo database's files) is one an obsgen from before the marker used."""


class StateDirRefused(RuntimeError):
    """The state directory is not one `up` may use."""


def _own(name: str) -> bool:
    return (name in OWN_ENTRIES or name.startswith((".out.", "shop-demo.db"))
            or (name.startswith("alertmanager") and name.endswith("-data")))


def claim(state_dir: Path, definitions: Path, out: Path = Path("out")) -> None:
    """StateDirRefused unless state_dir is missing, empty, or one `up` made (its marker, or nothing but the
    stack's own files); and never the directory holding definitions/ or out/, or one of their parents, even
    marked. Then the directory exists and is marked as the stack's."""
    state_dir = state_dir.resolve()
    for guarded in (definitions.resolve(), out.resolve()):
        if state_dir == guarded or state_dir in guarded.parents:
            raise StateDirRefused(f"state directory {state_dir} holds {guarded}: `up` empties its state directory; "
                                  "give a directory of its own (the default is .live)")
    if state_dir.exists() and not state_dir.is_dir():  # (resolved: a link given is its target, judged as that)
        raise StateDirRefused(f"state directory {state_dir} is not a directory")
    if state_dir.exists() and not (state_dir / MARKER).is_file():
        foreign = sorted(entry.name for entry in state_dir.iterdir() if not _own(entry.name))
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise StateDirRefused(f"state directory {state_dir} holds files `obsgen up` did not write ({shown}): "
                                  "`up` empties its state directory; give a new or empty directory")
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / MARKER).write_text("a state directory of `obsgen up`: the next `up` empties it\n")
