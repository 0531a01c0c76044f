"""Acknowledging an alert is silencing it, through Alertmanager's API v2.

A silence matching an alert's name and labels also matches its escalation copies (they keep the alert's labels and
add escalation_level), so nobody further up the ladder is told while it lasts; Prometheus keeps counting, and
when the silence ends with the alert still firing, the levels its time has reached are notified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from generator.apply import rules
from generator.apply.files import collect
from generator.apply.http import Api, ApiError
from generator.core.matcher_text import classic_matcher, filtered, quoted
from generator.core.wording import counted
from generator.model.conventions import ESCALATION_LEVEL_LABEL, RULES_DIR

SHOWN_STATES = ("active", "pending")
OPERATORS = {(True, False): "=", (False, False): "!=", (True, True): "=~", (False, True): "!~"}
"""A matcher's operator by (equal, regex)."""


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a silence, as Alertmanager's API v2 takes it."""

    name: str
    value: str
    regex: bool = False
    equal: bool = True

    @classmethod
    def parse(cls, text: str) -> Matcher:
        """LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX, read as amtool reads it (the value quoted or
        not); ValueError, saying what amtool says, otherwise."""
        try:
            name, op, value = classic_matcher(text)
        except ValueError as error:
            raise ValueError(f"{error}: give LABEL=VALUE (or !=, =~, !~), the value in double quotes with \\\\, \\\" "
                             "and \\n escaped") from None
        return cls(name, value, regex="~" in op, equal=not op.startswith("!"))

    def api(self) -> dict[str, Any]:
        """The API v2 form."""
        return {"name": self.name, "value": self.value, "isRegex": self.regex, "isEqual": self.equal}

    def filter(self) -> str:
        """As the API's filter parameter takes it (each release's parser reads it alike)."""
        return f'{self.name}{self._op()}"{filtered(self.value)}"'

    def _op(self) -> str:
        return OPERATORS[self.equal, self.regex]

    def __str__(self) -> str:
        return f'{self.name}{self._op()}"{quoted(self.value)}"'


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
        return self.shown("")

    @property
    def selector(self) -> str:
        """Its matchers as one selector: {alertname="CpuHigh", instance=~"web-.*"}."""
        return f"{{{', '.join(map(str, self.matchers))}}}"

    def muting(self, api: Api) -> Matched | None:
        """The alerts it mutes now (`obsgen ack --list`, `obsgen status`); None when it is not active (pending)."""
        return matching(api, list(self.matchers)).silenced(self.id) if self.state == "active" else None

    def shown(self, muting: str) -> str:
        """One line, with what it mutes now ("2 alerts (1 escalation copy)") after its state when known."""
        state = f"{self.state}, silencing {muting} now" if muting else self.state
        return (f"{self.id}  {self.selector}  until {self.ends}  {state}  by "
                f"{self.created_by}: {self.comment}")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def acknowledge(api: Api, matchers: list[Matcher], lasting: timedelta, author: str, comment: str) -> str:
    """Create the silence; returns its id."""
    now = datetime.now(UTC)
    body = {"matchers": [matcher.api() for matcher in matchers], "startsAt": _stamp(now),
            "endsAt": _stamp(now + lasting), "createdBy": author, "comment": comment}
    answer = api.post("/api/v2/silences", body)
    if not isinstance(answer, dict) or "silenceID" not in answer:
        raise ValueError(f"{api.url} answered with no silence id ({str(answer)[:200]}): is it Alertmanager?")
    return str(answer["silenceID"])


@dataclass(frozen=True)
class Matched:
    """The alerts Alertmanager holds that a set of matchers matches."""

    labels: tuple[dict[str, str], ...]
    silenced_by: tuple[tuple[str, ...], ...]
    """For each alert, the ids of the silences muting it."""

    @property
    def copies(self) -> int:
        """How many are escalation copies (a level above the first)."""
        return sum(ESCALATION_LEVEL_LABEL in labels for labels in self.labels)

    def count(self) -> str:
        """"3 alerts (1 escalation copy)"."""
        alerts, copies = len(self.labels), self.copies
        return (f"{counted(alerts, 'alert')} ({counted(copies, 'escalation copy', 'escalation copies')})"
                if copies else counted(alerts, "alert"))

    def silenced(self, silence_id: str) -> Matched:
        """Those the silence mutes."""
        return self._kept(lambda ids: silence_id in ids)

    def unsilenced(self) -> Matched:
        """Those no silence mutes."""
        return self._kept(lambda ids: not ids)

    def _kept(self, keep: Callable[[tuple[str, ...]], bool]) -> Matched:
        kept = [(labels, ids) for labels, ids in zip(self.labels, self.silenced_by, strict=True) if keep(ids)]
        return Matched(tuple(labels for labels, _ in kept), tuple(ids for _, ids in kept))

    def instances(self) -> list[str]:
        """What tells the matched alerts apart, for the operator: their label sets without the alert's name."""
        return sorted({", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname") or "(no labels)"
                       for labels in self.labels})


def matching(api: Api, matchers: list[Matcher]) -> Matched:
    """Every alert Alertmanager holds (active, silenced or inhibited) that the matchers match."""
    answer = api.get("/api/v2/alerts", filter=[matcher.filter() for matcher in matchers])
    if not isinstance(answer, list):
        raise ValueError(f"{api.url} answered no list of alerts: is it Alertmanager?")
    return Matched(tuple(dict(alert.get("labels") or {}) for alert in answer),
                   tuple(tuple((alert.get("status") or {}).get("silencedBy") or ()) for alert in answer))


def silences(api: Api) -> list[Silence]:
    """Active and pending silences, the ones ending soonest first."""
    found = [Silence.of(body) for body in api.get("/api/v2/silences")]
    return sorted((s for s in found if s.state in SHOWN_STATES), key=lambda s: s.ends)


def expire(api: Api, silence_id: str) -> Silence:
    """End a silence now: notifications it held back resume at the next flush of their groups. Returns it as it was;
    ValueError when Alertmanager holds no such silence, or it has already ended (Alertmanager answers 200 to
    expiring an expired one: the operator would read that the page is acknowledged no more, when it was not)."""
    try:
        found = Silence.of(api.get(f"/api/v2/silence/{silence_id}"))
    except ApiError as error:
        if error.status not in (404, 422):  # 422: not a UUID
            raise
        raise ValueError(f"no silence {silence_id} on {api.url}: `obsgen ack --list` shows the active and pending "
                         "ones") from None
    if found.state == "expired":
        raise ValueError(f"silence {silence_id} of {found.selector} had already ended "
                         f"(at {found.ends}): nothing expired")
    api.request("DELETE", f"/api/v2/silence/{silence_id}")
    return found


def project_alerts(out: Path) -> set[str]:
    """The names of the alerts out/'s rule files define (none when there is no out/ here)."""
    files = collect(out / "prometheus", (f"{RULES_DIR.removeprefix('prometheus/')}/*.yml",))
    try:
        groups = rules.from_files(files, 60.0).values()
    except rules.MalformedFile as error:
        raise error.under(out / "prometheus") from None
    return {rule.name for group in groups for rule in group.rules if rule.kind == "alerting"}
