"""Reading an HTTP answer that may be hostile: never more of its body than a bound. A server (or whatever answers at
its address: a proxy, a wrong port) may send gigabytes, or a body that never ends at a pace no read timeout
catches, and requests reads a whole body into memory.

A client installs `capped(max_bytes)` as a response hook (session.hooks["response"], or hooks= of one call).
requests runs the hook before it reads the body (it reads bodies lazily, streamed or not); the hook reads it, as
decoded a CHUNK at a time (core/http_decoding: a gzip bomb counts at its decoded size, and costs no more than the
bound), stopping past max_bytes, and hands it to requests as the body already read: .json(), .text and .content
work as before. Past the bound, the connection is closed and BodyTooLarge raised from the request call, naming the
URL and the bound. A request made with stream=True is left to its caller, which reads what it wants of the body (a
readiness probe, only the status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.exceptions import ContentDecodingError

from generator.core.http_decoding import decoded

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
                raise
        if len(body) > max_bytes or (declared.isdigit() and int(declared) > max_bytes):
            response.close()  # the rest is never read: the connection goes, not back to the pool
            raise BodyTooLarge(response.url, max_bytes, response.status_code)
        response._content = bytes(body)  # what Response.content sets once it has read the body itself
        return response

    return read
