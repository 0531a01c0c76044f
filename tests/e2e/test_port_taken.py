"""`obsgen up` chooses its free ports before the first server starts; another process (another stack, a test's
server) may take one in the seconds until its server binds it. The start is then tried again on ports chosen anew,
not failed (CI once lost a pair of Alertmanagers to a cluster port taken that way)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from generator.live import stack
from generator.live.stack import Options, down, up
from generator.live.supervisor import Supervisor

ROOT = Path(__file__).resolve().parents[2]


def test_a_port_taken_after_it_was_chosen_is_chosen_again_and_the_stack_comes_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[socket.socket] = []
    choose = stack._ports

    def taken_after_choice(options: Options) -> dict[str, int]:
        ports = choose(options)
        if not taken:  # the first start's webhook port, listened on by another process before the sink binds it
            taken.append(socket.create_server(("127.0.0.1", ports["webhook"])))
        return ports

    monkeypatch.setattr(stack, "_ports", taken_after_choice)
    state_dir = tmp_path / "live"
    try:
        live = up(Options(definitions=ROOT / "definitions", state_dir=state_dir, free_ports=True))
        try:
            held = taken[0].getsockname()[1]
            assert live.urls["webhook-sink"] != f"http://127.0.0.1:{held}"
            names = [process.name for process in Supervisor.load(state_dir).running()]
            assert {"webhook-sink", "alertmanager", "prometheus"} <= set(names) and len(names) == len(set(names))
            assert requests.get(live.urls["prometheus"] + "/-/ready", timeout=10).status_code == 200
            assert "address already in use" not in (state_dir / "logs" / "webhook-sink.log").read_text()
        finally:
            down(state_dir)
    finally:
        for sock in taken:
            sock.close()
