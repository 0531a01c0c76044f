"""The preview's DevTools connection reads no message longer than the largest screenshot the preview takes, and
a peer that sends one, or one that is not JSON, ends the preview with one PreviewError, never a traceback or a
memory filled. The peer is hostile by construction: a stand-in `chromium` on PATH announces a DevTools endpoint on
loopback, served by the test, as the real one does on its log."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from generator.preview import browser
from generator.preview.browser import Chromium
from generator.preview.page import PAGE_WIDTH
from generator.preview.source import PreviewError

FRAGMENT = 2**20
"""Bytes a fragment of the oversized message holds: the peer never builds the whole message at once."""
OVERSIZED = browser.LARGEST_MESSAGE + 1
"""Bytes of the oversized answer: one over the bound."""


def _oversized(ident: int) -> Iterator[str]:
    """A DevTools answer OVERSIZED bytes long, as fragments."""
    head, tail = f'{{"id": {ident}, "result": {{"targetId": "', '"}}'
    left = OVERSIZED - len(head) - len(tail)
    yield head
    while left > 0:
        yield "A" * min(FRAGMENT, left)
        left -= FRAGMENT
    yield tail


@contextlib.contextmanager
def devtools_peer(answer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A DevTools endpoint on loopback answering the first command `answer`ly ("oversized", "not-json"), and a
    `chromium` on PATH that announces it and waits."""

    def handler(connection: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):  # the client closes once it has refused the answer
            command = json.loads(connection.recv())
            connection.send(_oversized(command["id"]) if answer == "oversized" else "<html>not JSON</html>")
            connection.recv()

    with serve(handler, "127.0.0.1", 0, max_size=2**20) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        fake = tmp_path / "bin" / "chromium"
        fake.parent.mkdir()
        fake.write_text(f"#!{sys.executable}\nimport sys, time\n"
                        f"print('DevTools listening on ws://127.0.0.1:{port}/devtools/browser/fake', file=sys.stderr)\n"
                        "sys.stderr.flush()\ntime.sleep(120)\n")
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
        try:
            yield
        finally:
            server.shutdown()
            thread.join(10)


def test_the_bound_is_the_largest_screenshot_in_base64() -> None:
    """1440 x 16384 px, 4 bytes a pixel and a filter byte a row, stored uncompressed: 94 MB of PNG, 121 MiB once
    base64; the shipped dashboards' screenshots are under a megabyte."""
    assert (browser.TALLEST_PAGE, PAGE_WIDTH) == (16384, 1440)
    assert browser.TALLEST_PAGE * (1 + 4 * PAGE_WIDTH) * 4 // 3 < browser.LARGEST_MESSAGE < 122 * 2**20


def test_a_devtools_message_over_the_largest_screenshot_is_refused(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with devtools_peer("oversized", tmp_path, monkeypatch), Chromium() as chromium, \
            pytest.raises(PreviewError) as refused:
        chromium.tab()
    assert str(refused.value) == ("chromium: Target.createTarget: a DevTools message over 121 MiB, larger than the "
                                  "screenshot of the largest page the preview photographs (1440 x 16384 px): the "
                                  "connection is closed")


def test_a_devtools_message_that_is_not_json_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with devtools_peer("not-json", tmp_path, monkeypatch), Chromium() as chromium, \
            pytest.raises(PreviewError) as refused:
        chromium.tab()
    assert str(refused.value).startswith("chromium: Target.createTarget: a DevTools message that is not one: "
                                         "Expecting value: line 1 column 1"), str(refused.value)
