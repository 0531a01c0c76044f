"""The test servers' own start: a port another process takes between its choice and the server's bind."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import servers

CONFIG = "route: {receiver: none}\nreceivers: [{name: none}]\n"


def test_a_server_whose_chosen_port_was_taken_starts_on_another(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "alertmanager.yml").write_text(CONFIG)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        chosen: Iterator[int] = iter([taken, servers.free_port()])
        monkeypatch.setattr(servers, "free_port", lambda: next(chosen))
        with servers.alertmanager(tmp_path / "alertmanager.yml", tmp_path) as server:
            assert server.get("/api/v2/status").status_code == 200
            assert server.url != f"http://127.0.0.1:{taken}"


def test_a_port_the_caller_chose_is_not_changed_behind_its_back(tmp_path: Path) -> None:
    (tmp_path / "alertmanager.yml").write_text(CONFIG)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        with pytest.raises(servers.PortTaken, match="address already in use"), \
                servers.alertmanager(tmp_path / "alertmanager.yml", tmp_path, port=squatter.getsockname()[1]):
            pass
