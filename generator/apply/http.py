"""One HTTP client for every server: base URL, credentials, timeouts, and retries of what is safe to retry."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from generator.core.bounded_http import AnswerCut, UnreadableAnswer, json_answer
from generator.core.bounded_read import read_bounded
from generator.core.http_deadline import DeadlinePassed, DeadlineRetry, deadline_for, deadline_session
from generator.core.untrusted import ReadError, yaml_mapping
from generator.core.wording import counted

RETRIED_STATUSES = (429, 502, 503, 504)  # rate limited or a proxy in front of a restarting server
ANSWER_BYTES = 64 * 2**20
"""Largest answer read: the largest apply, status and oncall read (Grafana's dashboard search and a dashboard,
Prometheus' /api/v1/rules with every rule's alerts, Alertmanager's /api/v2/alerts) are a few MiB for ten thousand
alerts or dashboards; a wrong URL streaming without end stops here."""
TOKEN_BYTES = 64 * 1024
"""Largest token file read: a bearer token is at most a few KiB (a JWT); /dev/zero must not fill the memory."""


class ApiError(Exception):
    """A server answered with an error status; message is what the server said."""

    def __init__(self, server: str, method: str, path: str, status: int, message: str, body: Any = None) -> None:
        super().__init__(f"{server}: {method} {path} answered {status}: {message}")
        self.status = status
        self.message = message
        self.body = body


class Unreachable(Exception):
    """A server could not be reached (connection refused, DNS, timeout), or the connection broke mid-answer."""


USER_PART = re.compile(r"(?<!\w)(\w++://)[^/@\s]++@")
r"""A URL's scheme and user part. Linear: a scheme starts only where a run of word characters does (any later start
in the run meets the same `://` after the same run, so it matches where the run's start does; tried at every
character, `(\w+://)` read the rest of the run each time, quadratic: 100k letters took 18 s), and both runs are
possessive (each is followed by a character outside it, so giving any back never matches)."""


def hide_user_parts(text: str) -> str:
    """text (a URL, a command) with the user part of every URL in it masked: it may hold a password
    (http://admin:pw@host), and messages land in CI logs."""
    return USER_PART.sub(r"\1***@", text)


@dataclass(frozen=True)
class Credentials:
    """A bearer token or a user and password; never printed."""

    token: str = ""
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"Credentials(token={'***' if self.token else ''!r}, user={self.user!r})"

    @classmethod
    def load(cls, prefix: str, token_file: Path | None = None) -> Credentials:
        """From token_file, else $PREFIX_TOKEN, else $PREFIX_USER and $PREFIX_PASSWORD, else none."""
        if token_file is not None:
            try:
                return cls(token=read_bounded(token_file, TOKEN_BYTES).decode("utf-8").strip())
            except OSError as error:
                raise ValueError(f"cannot read {prefix.lower()} token file {token_file}: {error.strerror}") from None
            except ValueError as error:  # not a regular file, over the bound, not UTF-8
                raise ValueError(f"{prefix.lower()} token file {token_file}: {error}") from None
        return cls(token=os.environ.get(f"{prefix}_TOKEN", ""), user=os.environ.get(f"{prefix}_USER", ""),
                   password=os.environ.get(f"{prefix}_PASSWORD", ""))


@dataclass(frozen=True)
class Connection:
    """How to reach one server."""

    name: str
    """What the server is, for messages: prometheus, alertmanager, grafana."""
    url: str
    credentials: Credentials = Credentials()
    timeout: float = 10.0
    """Seconds to wait for a connection and for each answer."""
    retries: int = 3
    """Attempts after the first for connection errors, for idempotent requests answering 429/502/503/504, and for
    GETs whose answer broke off (core/http_deadline): one budget for all of them."""

    @property
    def deadline(self) -> float:
        """Seconds one request may take in all, every attempt and the body included (core.http_deadline): 80 s with
        the defaults, ample for ANSWER_BYTES from any server worth waiting for; a server answering without end,
        or one byte at a time, is cut there."""
        return deadline_for(self.timeout, self.retries + 1)


class Api:
    """JSON over HTTP to one server, raising ApiError on error statuses and Unreachable when it cannot connect."""

    def __init__(self, connection: Connection) -> None:
        self.name = connection.name
        self.base = connection.url.rstrip("/")
        if not _reachable_url(self.base):  # requests' own message would show it whole, a password with it
            raise ValueError(f"{self.name} URL {self.base.rpartition('@')[2]!r} is not an http:// or https:// URL "
                             "with a host")
        self.url = hide_user_parts(self.base)
        """For messages: credentials in the URL's user part are never printed."""
        self.timeout = connection.timeout
        self.attempts = connection.retries + 1
        retry = DeadlineRetry(total=connection.retries, backoff_factor=0.2, status_forcelist=RETRIED_STATUSES,
                              raise_on_status=False)  # POSTs are retried only when the request never reached the server
        self.session = deadline_session(connection.deadline, ANSWER_BYTES, retry)
        credentials = connection.credentials
        if credentials.token:
            self.session.headers["Authorization"] = f"Bearer {credentials.token}"
        elif credentials.user:
            self.session.auth = (credentials.user, credentials.password)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The raw response of a request; raises on error statuses."""
        try:
            response = self.session.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise self._unreachable(error) from None
        except UnreadableAnswer as error:  # too long, or in an encoding not read
            raise ApiError(self.name, method, path, error.status, str(error)) from None
        except AnswerCut as error:  # the connection broke mid-answer: as when it cannot be made
            raise Unreachable(f"{self.name}: {method} {path}: {error}") from None
        except requests.RequestException as error:  # the rest: redirected without end, a malformed answer
            raise Unreachable(f"{self.name}: {method} {path} at {self.url} failed: {type(error).__name__}: "
                              f"{hide_user_parts(str(error))}") from None
        if response.status_code >= 400:
            raise ApiError(self.name, method, path, response.status_code, _message(response), _json(response))
        return response

    def _unreachable(self, error: requests.RequestException) -> Unreachable:
        # urllib3 wraps a read timeout, once the retries are spent, in requests' ConnectionError
        if isinstance(error, DeadlinePassed):
            return Unreachable(f"{self.name}: {error}")
        reason = getattr(error.args[0] if error.args else None, "reason", None)
        if isinstance(error, requests.ReadTimeout) or isinstance(reason, ReadTimeoutError):
            return Unreachable(f"{self.name} at {self.url} took the connection but did not answer within "
                               f"{self.timeout:g} s ({counted(self.attempts, 'attempt')})")
        return Unreachable(f"cannot reach {self.name} at {self.url}: {type(error).__name__}")

    def get(self, path: str, **params: Any) -> Any:
        """GET, decoded JSON within core.untrusted's bounds (nesting, integers' digits, no key twice); ApiError when
        the answer is not JSON (a sign-in page, another server's) or is beyond them (naming the line)."""
        response = self.request("GET", path, params=params)
        try:
            return json_answer(response)
        except ReadError as error:
            raise ApiError(self.name, "GET", path, response.status_code, f"line {error.line or 1}: {error}") from None
        except ValueError:
            kind = response.headers.get("Content-Type") or "no content type"
            raise ApiError(self.name, "GET", path, response.status_code,
                           f"not JSON ({kind}): is {self.url} {self.name}?") from None

    def yaml_in(self, path: str, field: str, text: object) -> dict[str, Any]:
        """A YAML mapping a server's answer to path holds as text at field (a configuration it runs: Alertmanager's
        config.original), parsed within core.untrusted's bounds ({} when empty); ApiError naming the field and its
        line when it is no YAML mapping within them (an alias bomb, deep nesting, an integer of a million digits)."""
        if not isinstance(text, str):
            raise ApiError(self.name, "GET", path, 200, f"no {field} text in the answer: is {self.url} {self.name}?")
        try:
            return yaml_mapping(text)
        except ReadError as error:
            raise ApiError(self.name, "GET", path, 200, f"{field}{f':{error.line}' if error.line else ''}: {error}"
                           ) from None

    def post(self, path: str, body: Any = None) -> Any:
        """POST a JSON body, decoded JSON answer (None when the answer is not JSON)."""
        return _json(self.request("POST", path, json=body))

    def text(self, path: str) -> str:
        """GET, as text (e.g. /metrics)."""
        return self.request("GET", path).text


def _reachable_url(url: str) -> bool:
    """Whether url names a host over http or https."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a bracketed IPv6 host unclosed, a port out of range
        return False


def _json(response: requests.Response) -> Any:
    try:
        return json_answer(response)
    except ValueError:
        return None


def _message(response: requests.Response) -> str:
    body = _json(response)
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return response.text.strip()[:500] or response.reason
