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
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

from generator.core.process_log import LogSearch, log_tail
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

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """A DevTools command on this page."""
        return self.browser.call(method, self.session, **params)

    def load(self, url: str, width: int, height: int = 900, timezone: str = "") -> None:
        """Open url at the given viewport and wait until the page says it has drawn (window.previewRendered)."""
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
        """PNG of the whole page, however tall, at the viewport's width."""
        width, height = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        reply = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        return base64.b64decode(reply["data"])

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


class Chromium:
    """A headless Chromium process and its DevTools connection; a context manager that always stops it."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="obsgen-chromium-"))
        self.log = self.profile / "chromium.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen([chromium_binary(), *FLAGS, f"--user-data-dir={self.profile}",
                                             "about:blank"], stdout=sink, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        self.ids = itertools.count(1)
        self.tabs: dict[str, Tab] = {}
        self.connections = contextlib.ExitStack()
        try:
            self.connection: ClientConnection = self.connections.enter_context(
                connect(self._devtools_url(), max_size=None, open_timeout=10))
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
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.connection.send(json.dumps(message))
        while True:
            reply = json.loads(self.connection.recv(timeout=PAGE_TIMEOUT + 10))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise PreviewError(f"chromium: {method}: {reply['error'].get('message')}")
                return dict(reply.get("result", {}))
            tab = self.tabs.get(reply.get("sessionId", ""))
            if tab is not None:
                tab.note(reply)

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
