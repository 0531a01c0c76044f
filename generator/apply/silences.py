"""Acknowledging an alert is silencing it, through Alertmanager's API v2.

A silence matching an alert's name and labels also matches its escalation copies (they keep the alert's labels and
add escalation_level), so nobody further up the ladder is told while it lasts; Prometheus keeps counting, and
when the silence ends with the alert still firing, the levels its time has reached are notified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.apply.http import Api

MATCHER = re.compile(r"^(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)(?P<op>=~|!~|!=|=)(?P<value>.*)$")
SHOWN_STATES = ("active", "pending")


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a silence, as Alertmanager's API v2 takes it."""

    name: str
    value: str
    regex: bool = False
    equal: bool = True

    @classmethod
    def parse(cls, text: str) -> Matcher:
        """LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX; ValueError otherwise."""
        found = MATCHER.match(text)
        if found is None:
            raise ValueError(f"{text!r} is not LABEL=VALUE (or !=, =~, !~)")
        op = found["op"]
        return cls(found["name"], found["value"].strip('"'), regex="~" in op, equal=not op.startswith("!"))

    def api(self) -> dict[str, Any]:
        """The API v2 form."""
        return {"name": self.name, "value": self.value, "isRegex": self.regex, "isEqual": self.equal}

    def __str__(self) -> str:
        op = {(True, False): "=", (False, False): "!=", (True, True): "=~", (False, True): "!~"}[self.equal, self.regex]
        return f'{self.name}{op}"{self.value}"'


@dataclass(frozen=True)
class Silence:
    """A silence as Alertmanager reports it."""

    id: str
    matchers: tuple[Matcher, ...]
    starts: str
    ends: str
    created_by: str
    comment: str
    state: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> Silence:
        """From an API v2 gettableSilence."""
        matchers = tuple(Matcher(m["name"], m["value"], m.get("isRegex", False), m.get("isEqual", True))
                         for m in body.get("matchers", []))
        return cls(body["id"], matchers, body["startsAt"], body["endsAt"], body.get("createdBy", ""),
                   body.get("comment", ""), body["status"]["state"])

    def __str__(self) -> str:
        return (f"{self.id}  {{{', '.join(map(str, self.matchers))}}}  until {self.ends}  {self.state}  by "
                f"{self.created_by}: {self.comment}")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def acknowledge(api: Api, matchers: list[Matcher], lasting: timedelta, author: str, comment: str) -> str:
    """Create the silence; returns its id."""
    now = datetime.now(UTC)
    body = {"matchers": [matcher.api() for matcher in matchers], "startsAt": _stamp(now),
            "endsAt": _stamp(now + lasting), "createdBy": author, "comment": comment}
    answer = api.post("/api/v2/silences", body)
    return str(answer["silenceID"])


def silences(api: Api) -> list[Silence]:
    """Active and pending silences, the ones ending soonest first."""
    found = [Silence.of(body) for body in api.get("/api/v2/silences")]
    return sorted((s for s in found if s.state in SHOWN_STATES), key=lambda s: s.ends)


def expire(api: Api, silence_id: str) -> None:
    """End a silence now: notifications it held back resume at the next flush of their groups."""
    api.request("DELETE", f"/api/v2/silence/{silence_id}")
