"""Listening ports are picked where outgoing connections never take theirs: outside the kernel's ephemeral range."""

from __future__ import annotations

import socket

import pytest

from generator.live import ports


def test_a_free_port_is_outside_the_ephemeral_range_not_taken_and_free() -> None:
    ephemeral = ports._ephemeral()
    taken: set[int] = set()
    for _ in range(50):
        port = ports.free_port(taken)
        assert port not in ephemeral and port not in taken and ports.is_free(port)
        taken.add(port)


def test_a_port_a_client_connection_holds_cannot_be_listened_on() -> None:
    """Why: the kernel gives a client's connection a local port from the same range as bind to port 0."""
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()) as client:
        held = client.getsockname()[1]
        assert held in ports._ephemeral()
        assert not ports.is_free(held)


def test_with_no_room_outside_the_ephemeral_range_the_kernel_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_ephemeral", lambda: range(1, 65536))
    port = ports.free_port()
    assert ports.is_free(port)
