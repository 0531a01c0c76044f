"""Reading an HTTP answer that may be hostile: never more of its body than a bound. A server (or whatever answers at
its address: a proxy, a wrong port) may send gigabytes, or a body that never ends at a pace no read timeout
catches, and requests reads a whole body into memory.

A client installs `capped(max_bytes)` as a response hook (session.hooks["response"], or hooks= of one call).
requests runs the hook before it reads the body (it reads bodies lazily, streamed or not); the hook reads it, as
decoded a CHUNK at a time (core/http_decoding: a gzip bomb counts at its decoded size, and costs no more than the
bound), stopping past max_bytes, and hands it to requests as the body already read: .json(), .text and .content
work as before. Past the bound, the connection is closed and BodyTooLarge raised from the request call, naming the
URL and the bound; a body that breaks off before its end (the connection closed short of the length announced, or
garbled chunks) raises AnswerCut, naming the URL and what broke. A request made with stream=True is left to its
caller, which reads what it wants of the body (a readiness probe, only the status).
"""

from __future__ import annotations

from collections.abc import Callable
from http.client import IncompleteRead
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import InvalidChunkLength

from generator.core.http_decoding import decoded
from generator.core.untrusted import load_json

CHUNK = 2**16
"""Bytes asked of the connection at once, and the most one of them decodes to at once."""


def shown_url(url: str) -> str:
    """A request's URL as an error names it: without a user and password, nor the query (a PromQL expression may
    be long)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment=""))


class UnreadableAnswer(requests.RequestException):
    """An answer its client does not read (too long, or in an encoding it does not read): the server's answer, not
    an outage; a RequestException, so that whatever gives up on a failed request (a readiness probe) gives up on
    this one too."""

    def __init__(self, url: str, status: int, why: str) -> None:
        self.status = status
        """The response's status code."""
        self.url = shown_url(url)
        super().__init__(f"the answer of {self.url} {why}")


class BodyTooLarge(UnreadableAnswer):
    """A response's body is longer than its client reads."""

    def __init__(self, url: str, max_bytes: int, status: int) -> None:
        self.limit = f"{max_bytes / 2**20:g} MiB"
        super().__init__(url, status, f"is over {self.limit}, the most obsgen reads of it: is that the server's URL, "
                         "and the request what was meant?")


class AnswerUndecodable(UnreadableAnswer, ContentDecodingError):
    """A response's body is in an encoding its client does not read, or not valid in its own."""


class AnswerCut(ChunkedEncodingError):
    """A response's body broke off before its end: the connection closed or reset short of what was announced
    (Content-Length, a chunk's size, the end of a gzip stream), or garbled chunked encoding; a ChunkedEncodingError,
    as requests raises for it, naming the URL. The connection's failure, not the server's answer."""

    def __init__(self, url: str, status: int, why: str, response: requests.Response | None = None) -> None:
        self.status = status
        """The response's status code."""
        self.url = shown_url(url)
        self.why = why
        """What broke, in words."""
        super().__init__(f"the answer of {self.url} broke off: {why}", response=response)

    @classmethod
    def of(cls, response: requests.Response, error: ChunkedEncodingError) -> AnswerCut:
        """The cut requests (or the decoding) found reading response's body; the response is kept, its raw one
        holding the retries its request used up (urllib3 sets them on it)."""
        return cls(response.url, response.status_code, _why_cut(error), response)

    def after(self, outcome: str) -> AnswerCut:
        """This cut with what its client made of it told after what broke (not retried, retried in vain)."""
        return AnswerCut(self.url, self.status, f"{self.why}; {outcome}", self.response)


MID_ANSWER = "the server, or a proxy in front of it, ended the connection mid-answer"


def _why_cut(error: ChunkedEncodingError) -> str:
    """What urllib3 (or the decoding) found, in words: ChunkedEncodingError(ProtocolError(text, cause)), or text."""
    protocol = error.args[0] if error.args else None
    cause = protocol.args[-1] if isinstance(protocol, Exception) and protocol.args else protocol
    if isinstance(cause, InvalidChunkLength):  # an IncompleteRead too: first
        return f"its chunked encoding is broken ({cause!r})"
    if isinstance(cause, IncompleteRead):  # urllib3's or http.client's (a chunk cut short)
        return f"{cause.expected} bytes short of the length it announced, {MID_ANSWER}"
    if isinstance(cause, OSError):
        return f"the connection broke ({cause.strerror or type(cause).__name__})"
    return f"{cause}, {MID_ANSWER}"


def capped(max_bytes: int) -> Callable[..., requests.Response]:
    """A response hook reading the body of each response within max_bytes (BodyTooLarge past it)."""

    def read(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("stream"):  # requests passes the call's arguments: this caller reads the body itself
            return response
        declared = response.headers.get("Content-Length", "")
        body = bytearray()
        if not (declared.isdigit() and int(declared) > max_bytes):  # announced too long: not a byte read
            try:
                for chunk in decoded(response, CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        break
            except requests.RequestException as error:
                response.close()
                if isinstance(error, ContentDecodingError):
                    raise AnswerUndecodable(response.url, response.status_code, str(error)) from error
                if isinstance(error, ChunkedEncodingError):
                    raise AnswerCut.of(response, error) from error
                raise
        if len(body) > max_bytes or (declared.isdigit() and int(declared) > max_bytes):
            response.close()  # the rest is never read: the connection goes, not back to the pool
            raise BodyTooLarge(response.url, max_bytes, response.status_code)
        response._content = bytes(body)  # what Response.content sets once it has read the body itself
        return response

    return read


def json_answer(response: requests.Response) -> Any:
    """An answer's JSON body (UTF-8, RFC 8259) parsed within core.untrusted's bounds (nesting, an integer's digits,
    no key twice); ValueError otherwise (a ReadError saying which bound, at which line), never a RecursionError."""
    return load_json(response.content.decode())
