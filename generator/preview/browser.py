"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol: load a page, read it, photograph it.

One browser serves every dashboard of a run (starting Chromium costs more than drawing a page). It runs
with a fresh profile directory, no sandbox (we run as root in CI), no GPU and no background traffic, and
listens for DevTools on loopback only.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.sync.client import ClientConnection, connect

from generator.core.process_log import LogSearch, log_tail
from generator.preview.page import PAGE_WIDTH
from generator.preview.source import PreviewError

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0")
DEVTOOLS = re.compile(rb"DevTools listening on (ws://\S+)\s")
"""The line Chromium writes once it listens; to its end (\\s), so that a line half written is not taken for it."""
DEVTOOLS_LONGEST = 4096
"""Longest such line looked for (it is about 100 bytes: ws://127.0.0.1:port/devtools/browser/uuid)."""
START_LOG_BYTES = 1500
"""The end of Chromium's log a failed start reports."""
START_TIMEOUT = 30.0
PAGE_TIMEOUT = 30.0
ANSWER_TIMEOUT = PAGE_TIMEOUT + 10
"""Seconds to wait for the answer to one DevTools command (loading a page waits up to PAGE_TIMEOUT in it)."""
TALLEST_PAGE = 16384
"""Pixels of page photographed at most: three times the tallest shipped dashboard (meta-monitoring, 5156 px), a
dashboard of about 430 grid units (54 rows of panels 8 units high). Chromium photographs taller pages, ever more
slowly (40000 px in 4.5 s), and one far down (gridPos.y of a million) would take it minutes and gigabytes."""
LARGEST_PNG = TALLEST_PAGE * (1 + 4 * PAGE_WIDTH) * 101 // 100 + 2**16
"""Bytes of the largest screenshot's PNG, however badly it compresses: each row a filter byte and 4 bytes (RGBA)
a pixel, stored by deflate at 5 bytes per 64 KiB block (well within the 1 % allowed) in IDAT chunks of 12 bytes
each, and 64 KiB for the other chunks."""
LARGEST_MESSAGE = (LARGEST_PNG + 2) // 3 * 4 + 2**16
"""Bytes of the largest DevTools message read (121 MiB): the largest screenshot in base64, and 64 KiB for its
JSON around it. Everything else Chromium sends (a command's result, a console event) is far smaller; a message
over it (a peer that is not our Chromium, a runaway page) closes the connection with a PreviewError, where it
would otherwise fill the memory."""


def chromium_binary() -> str:
    """Path of Debian's chromium; PreviewError saying how to get it when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise PreviewError("chromium is not installed: `apt-get install chromium` (make test installs it)")
    return found


@dataclass
class Tab:
    """One page in the browser, with the console errors and uncaught exceptions seen since it loaded."""

    browser: Chromium
    session: str
    errors: list[str] = field(default_factory=list)
    width: int = PAGE_WIDTH
    """The viewport's width, which the screenshot keeps."""

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """A DevTools command on this page."""
        return self.browser.call(method, self.session, **params)

    def load(self, url: str, width: int, height: int = 900, timezone: str = "") -> None:
        """Open url at the given viewport (at most PAGE_WIDTH wide) and wait until the page says it has drawn
        (window.previewRendered)."""
        if not 0 < width <= PAGE_WIDTH:
            raise ValueError(f"a page is drawn at most {PAGE_WIDTH} px wide (LARGEST_MESSAGE), not {width}")
        self.width = width
        self.errors.clear()
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        if timezone:
            self.call("Emulation.setTimezoneOverride", timezoneId=timezone)
        self.call("Page.navigate", url=url)
        self.evaluate("new Promise((resolve, reject) => { const started = Date.now(); (function wait() {"
                      " if (window.previewRendered) return window.previewRendered.then(resolve, reject);"
                      f" if (Date.now() - started > {PAGE_TIMEOUT * 1000}) return reject(new Error('not drawn'));"
                      " setTimeout(wait, 10); })(); })")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited when it is a promise); PreviewError if it throws."""
        reply = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise PreviewError(f"page error: {details.get('exception', {}).get('description') or details['text']}")
        return reply["result"].get("value")

    def screenshot(self) -> bytes:
        """PNG of the whole page at the viewport's width (what overflows it to the right, as in Grafana, unseen);
        PreviewError for a page taller than TALLEST_PAGE."""
        height = self.evaluate("document.documentElement.scrollHeight")
        if not isinstance(height, int) or height > TALLEST_PAGE:
            raise PreviewError(f"the page is {height} px tall, over the {TALLEST_PAGE} px the preview photographs: is "
                               "a panel's gridPos.y far below the others?")
        reply = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1})
        try:
            return base64.b64decode(str(reply["data"]), validate=True)
        except (KeyError, ValueError):  # binascii.Error is a ValueError
            raise PreviewError("chromium: Page.captureScreenshot answered no base64 PNG") from None

    def note(self, event: dict[str, Any]) -> None:
        """Keep what a person would see in the console as an error."""
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(params["entry"].get("text", ""))


class DevTools:
    """Commands and their results over a DevTools connection (`connect`); every failure of the connection a
    PreviewError naming the command."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.ids = itertools.count(1)

    def call(self, method: str, session: str, on_event: Callable[[dict[str, Any]], None],
             **params: Any) -> dict[str, Any]:
        """Send a command and return its result; every other message meanwhile (an event) goes to on_event."""
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            self.connection.send(json.dumps(message))
            while True:
                reply = json.loads(self.connection.recv(timeout=ANSWER_TIMEOUT))
                if not isinstance(reply, dict):
                    raise ValueError(f"a JSON {type(reply).__name__}, not an object")
                if reply.get("id") == ident:
                    if "error" in reply:
                        error = reply["error"]
                        said = error.get("message") if isinstance(error, dict) else error
                        raise PreviewError(f"chromium: {method}: {said}")
                    result = reply.get("result", {})
                    if not isinstance(result, dict):
                        raise ValueError(f"its result is a JSON {type(result).__name__}, not an object")
                    return result
                on_event(reply)
        except ConnectionClosed as closed:
            raise PreviewError(f"chromium: {method}: {_why_closed(closed)}") from None
        except TimeoutError:
            raise PreviewError(f"chromium: {method}: no answer within {ANSWER_TIMEOUT:g} s") from None
        except ValueError as error:  # not JSON (json's JSONDecodeError and UnicodeDecodeError are ValueErrors)
            raise PreviewError(f"chromium: {method}: a DevTools message that is not one: {error}") from None


def _why_closed(closed: ConnectionClosed) -> str:
    refused = closed.sent is not None and closed.rcvd_then_sent is not True  # we closed first, not echoing the peer
    if refused and closed.sent is not None and closed.sent.code == CloseCode.MESSAGE_TOO_BIG:
        return (f"a DevTools message over {LARGEST_MESSAGE / 2**20:.0f} MiB, larger than the screenshot of the largest "
                f"page the preview photographs ({PAGE_WIDTH} x {TALLEST_PAGE} px): the connection is closed")
    return f"the DevTools connection closed ({closed})"


class Chromium:
    """A headless Chromium process and its DevTools connection; a context manager that always stops it."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="obsgen-chromium-"))
        self.log = self.profile / "chromium.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen([chromium_binary(), *FLAGS, f"--user-data-dir={self.profile}",
                                             "about:blank"], stdout=sink, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        self.tabs: dict[str, Tab] = {}
        self.connections = contextlib.ExitStack()
        try:
            self.devtools = DevTools(self.connections.enter_context(
                connect(self._devtools_url(), max_size=LARGEST_MESSAGE, open_timeout=10)))
        except BaseException:
            self.close()
            raise

    def _devtools_url(self) -> str:
        """The DevTools URL Chromium logs once it listens; each poll of its log reads only what is new."""
        search = LogSearch(self.log, DEVTOOLS, DEVTOOLS_LONGEST)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = search()
            if found:
                return found.group(1).decode("ascii", errors="replace")
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise PreviewError(f"chromium did not start: {log_tail(self.log, START_LOG_BYTES)}")

    def call(self, method: str, session: str = "", **params: Any) -> dict[str, Any]:
        """Send a DevTools command and return its result; events that arrive meanwhile go to their tab."""
        try:
            return self.devtools.call(method, session, self._event, **params)
        except PreviewError as error:
            raise PreviewError(f"{error}{self._exited()}") from None

    def _event(self, event: dict[str, Any]) -> None:
        tab = self.tabs.get(str(event.get("sessionId", "")))
        if tab is not None:
            tab.note(event)

    def _exited(self) -> str:
        """What Chromium said, if it has exited."""
        if self.process.poll() is None:
            return ""
        return f" (chromium exited with {self.process.returncode}: {log_tail(self.log, START_LOG_BYTES)})"

    def tab(self) -> Tab:
        """A new page, listening for console errors."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tab = self.tabs[session] = Tab(self, session)
        for domain in ("Page", "Runtime", "Log"):
            tab.call(f"{domain}.enable")
        return tab

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        self.connections.close()
        # Chromium's renderer and zygote processes share the process group it was started in: stop them all.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
