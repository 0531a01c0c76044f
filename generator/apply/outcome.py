"""What `obsgen apply` did (or, with --dry-run, would do) to one thing on one server."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """The result for one file set or dashboard."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    """Not attempted: the check failed, or applying would overwrite someone else's change."""
    FAILED = "failed"
    """Attempted and undone or left as it was; the detail says which."""


PLANNED = {Action.CREATED: "would create", Action.UPDATED: "would update", Action.UNCHANGED: "unchanged",
           Action.REFUSED: "would refuse", Action.FAILED: "would fail"}


@dataclass(frozen=True)
class Outcome:
    """One line of the apply report."""

    server: str
    subject: str
    action: Action
    detail: str
    planned: bool = False
    """True under --dry-run: nothing was changed."""
    diff: str = ""
    """A unified diff of what would change, shown under --dry-run."""

    @property
    def ok(self) -> bool:
        """Whether this needs no attention."""
        return self.action not in (Action.REFUSED, Action.FAILED)

    def __str__(self) -> str:
        verb = PLANNED[self.action] if self.planned else self.action.value
        return f"{self.server:<12} {verb:<12} {self.subject}: {self.detail}"


class Kind(StrEnum):
    """What a status line says about a server."""

    OK = "ok"
    DRIFT = "DRIFT"
    """The server does not run what out/ holds."""
    UNREADABLE = "UNREADABLE"
    """The server could not be read, so it cannot be said to run out/."""
    ERROR = "error"
    """Something in what the server runs fails (a rule's last evaluation, links escaped for another release's UI): the
    server is then not known to run out/ as meant, and `obsgen status` exits 1 as for a difference."""
    FIRING = "firing"
    ACKNOWLEDGED = "acked"
    """A silence holding back an alert's notifications and its escalation (`obsgen ack`)."""
    NOTE = "note"


@dataclass(frozen=True)
class Finding:
    """One line of the status report."""

    server: str
    kind: Kind
    subject: str
    detail: str

    @property
    def drift(self) -> bool:
        """Whether this line says the server does not run out/ (a difference; an error line makes `obsgen status`
        exit 1 too, but is not one)."""
        return self.kind in (Kind.DRIFT, Kind.UNREADABLE)

    def __str__(self) -> str:
        return f"{self.server:<12} {self.kind.value:<10} {self.subject}: {self.detail}"
