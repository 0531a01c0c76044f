"""Loopback ports for the processes a live stack starts: a preferred one when it is free, else one the kernel picks."""

from __future__ import annotations

import random
import socket
from collections.abc import Collection
from pathlib import Path


def is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:port now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


EPHEMERAL_RANGE = "/proc/sys/net/ipv4/ip_local_port_range"
LISTEN_PORTS = range(10000, 65536)
"""Where listening ports are looked for, outside the kernel's ephemeral range (below)."""


def _ephemeral() -> range:
    """The ports the kernel gives outgoing connections (and bind to port 0)."""
    try:
        low, high = (int(word) for word in Path(EPHEMERAL_RANGE).read_text().split())
    except (OSError, ValueError):
        return range(32768, 61000)  # Linux's default
    return range(low, high + 1)


def free_port(taken: Collection[int] = ()) -> int:
    """A loopback port free now and not in `taken` (ports already handed to another process of the stack).

    Picked at random outside the kernel's ephemeral range: a port the kernel hands out there (bind to port 0) is
    also any outgoing connection's next local port, and a server started seconds later (the stack starts its
    processes one after the other) found it taken by a client's connection ("address already in use")."""
    ephemeral = _ephemeral()
    candidates = [*range(LISTEN_PORTS.start, ephemeral.start), *range(ephemeral.stop, LISTEN_PORTS.stop)]
    chooser = random.SystemRandom()
    for _ in range(100):
        port = chooser.choice(candidates) if candidates else 0
        if port and port not in taken and is_free(port):
            return port
    while True:  # no room outside the ephemeral range: the kernel's pick
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            return port
