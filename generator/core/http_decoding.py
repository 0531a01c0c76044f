"""The body of an HTTP answer as decoded (Content-Encoding gzip or deflate), a bounded piece at a time, however much
a compressed piece decodes to: a gzip bomb (a megabyte of zeros' gzip decodes to a gigabyte) costs no more than
the pieces its reader keeps. urllib3 before 2.6.0 decoded each piece it read whole, a 64 KiB piece of a bomb into
64 MiB (CVE-2025-66471), and requests accepts any urllib3 from 1.26; so the decoding is done here, by zlib with a
bound on its output, whichever urllib3 is installed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import requests
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError, SSLError

ACCEPTED = "gzip, deflate"
"""The encodings obsgen asks for (Accept-Encoding); requests would add br and zstd when their packages are
installed, which are decoded here by nothing."""
WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""zlib's window bits for each encoding read: a gzip header, a zlib header."""
MOST_CODINGS = 5
"""Encodings applied one over another that are read (urllib3 2.6 reads as many; a server has no use for more)."""


def decoded(response: requests.Response, piece: int) -> Iterator[bytes]:
    """The body of response, decoded, in pieces of at most `piece` bytes; ContentDecodingError if it is in an
    encoding obsgen does not read or not valid in its own (its message follows "the answer of <url> "), and each
    failure to read it a requests exception."""
    codings = [coding.strip().lower() for coding in response.headers.get("Content-Encoding", "").split(",")]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    unknown = [coding for coding in codings if coding not in WBITS]
    if unknown or len(codings) > MOST_CODINGS:
        raise ContentDecodingError(f"is in Content-Encoding {response.headers['Content-Encoding']!r}: obsgen reads "
                                   f"{ACCEPTED}, at most {MOST_CODINGS} of them one over another")
    pieces = _received(response, piece)
    for coding in reversed(codings):  # the last applied is the first undone
        pieces = _inflated(pieces, coding, piece)
    return pieces


def _received(response: requests.Response, piece: int) -> Iterator[bytes]:
    """The body as it came, undecoded; urllib3's errors as requests turns them (Response.iter_content), so that
    whatever gives up on a failed request gives up on these."""
    try:
        yield from response.raw.stream(piece, decode_content=False)
    except ProtocolError as error:
        raise ChunkedEncodingError(error) from error
    except ReadTimeoutError as error:
        raise requests.ConnectionError(error) from error
    except SSLError as error:
        raise requests.exceptions.SSLError(error) from error
    except HTTPError as error:
        raise requests.ConnectionError(error) from error


def _inflated(pieces: Iterator[bytes], coding: str, piece: int) -> Iterator[bytes]:
    """pieces with one encoding undone, `piece` bytes of output at most per call of zlib; ChunkedEncodingError when
    they end before the compressed stream does (the answer was cut short)."""
    wbits = WBITS[coding]
    inflater = zlib.decompressobj(wbits)
    started = False
    for data in pieces:
        while data:
            try:
                out = inflater.decompress(data, piece)
            except zlib.error as error:
                if coding == "deflate" and not started:  # deflate without its zlib header, as some servers send
                    wbits, inflater, started = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise ContentDecodingError(f"is not valid {coding}: {error}") from error
            started = True
            data = inflater.unconsumed_tail
            if inflater.eof and inflater.unused_data and coding != "deflate":  # another gzip member follows
                data, inflater = inflater.unused_data, zlib.decompressobj(wbits)
            if out:
                yield out
    if started and not inflater.eof:  # a body without a length, closed mid-answer, otherwise reads as complete
        raise ChunkedEncodingError(f"its {coding} data ends before the end of its compressed stream")
