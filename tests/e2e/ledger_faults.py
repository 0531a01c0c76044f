"""Fault injection into the ledger-inhibitions run (tests/e2e/test_ledger_inhibitions.py's alerts), by hand, not in
CI: `python -m tests.e2e.ledger_faults [--lag SECONDS] [prom|am:AT:FOR ...]` pauses the probe Prometheus or the
Alertmanager (SIGSTOP, then SIGCONT) at AT seconds after the alerts' start for FOR seconds, and/or lags the test
process that long between seeing the Alertmanager discovered and loading the rules (a loaded machine). It prints
what Alertmanager held when (state, inhibited, endsAt), Prometheus' notifier (Alertmanagers known, alerts dropped),
the run's timeline and tallies, and whether the muted TargetDown (api-2) was told.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from tests import servers
from tests.e2e import ledger_run
from tests.e2e.test_ledger_inhibitions import ALERTS, REFUSED

POLL = 0.1
"""Seconds between looks at Alertmanager's alerts and Prometheus' notifier."""


def _get(url: str) -> Any:
    """The JSON answer, None when the server does not answer within a second (paused)."""
    try:
        return requests.get(url, timeout=1).json()
    except requests.RequestException:
        return None


def _watch(start: float, alertmanager: str, prometheus: str, until: float) -> None:
    seen: dict[str, object] = {}
    while time.time() < until:
        now = time.time()
        alerts, lines = _get(f"{alertmanager}/api/v2/alerts") or [], {}
        notifier = _get(f"{prometheus}/api/v1/alertmanagers")  # None while paused
        if notifier is not None:
            known = len(notifier["data"]["activeAlertmanagers"])
            with contextlib.suppress(requests.RequestException):  # paused since
                lines["notifier"] = (f"Prometheus knows {known} Alertmanager(s), dropped "
                                     f"{ledger_run._dropped(prometheus):.0f}", "")
        for alert in alerts:
            ends = datetime.fromisoformat(alert["endsAt"].replace("Z", "+00:00")).timestamp()
            key = f"{alert['labels']['alertname']}/{alert['labels'].get('instance', '')}"
            state = f"{alert['status']['state']}{' inhibited' if alert['status']['inhibitedBy'] else ''}" \
                    f"{' (endsAt passed)' if ends < now else ''}"
            lines[key] = (f"Alertmanager: {key} {state}", f" endsAt {ends - start:.2f} s")
        for key, (line, detail) in lines.items():
            if seen.get(key) != line:
                seen[key] = line
                print(f"{now - start:6.2f} s {line}{detail}", flush=True)
        time.sleep(POLL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lag", type=float, default=0.0, help="seconds the test process lags before loading")
    parser.add_argument("pauses", nargs="*", help="prom|am:AT:FOR")
    args = parser.parse_args()
    pauses = sorted(((who, float(at), float(lasting)) for who, at, lasting in
                     (pause.split(":") for pause in args.pauses)), key=lambda pause: pause[1])
    loading = ledger_run._rules_once_alertmanager_known

    def lagging(prometheus: str, rules: Path, alerts: list[ledger_run.Alert]) -> float:
        ledger_run._tick(prometheus, time.monotonic() + 30)
        time.sleep(args.lag)
        return loading(prometheus, rules, alerts)

    def fault(start: float, prometheus: servers.Server, alertmanager: servers.Server) -> None:
        threading.Thread(target=_watch, args=(start, alertmanager.url, prometheus.url, start + 25),
                         daemon=True).start()
        for who, at, lasting in pauses:
            pid = (prometheus if who == "prom" else alertmanager).process.pid
            time.sleep(max(0.0, start + at - time.time()))
            os.kill(pid, signal.SIGSTOP)
            print(f"{time.time() - start:6.2f} s SIGSTOP {who}", flush=True)
            time.sleep(lasting)
            os.kill(pid, signal.SIGCONT)
            print(f"{time.time() - start:6.2f} s SIGCONT {who}", flush=True)

    ledger_run._rules_once_alertmanager_known = lagging
    workdir = Path(tempfile.mkdtemp(prefix="ledger-faults-"))
    try:
        found = ledger_run.ledger(workdir, list(ALERTS.values()), refused=REFUSED, fault=fault)
    except AssertionError as failed:
        print(f"the run failed its own check: {failed}")
        return
    muted = ledger_run.of(found, "TargetDown", {"instance": "api-2"})
    told = [(t.received_firing, t.received_resolved) for t in muted if (t.received_firing, t.received_resolved)
            != (0, 0)]
    print(f"api-2 (muted throughout): {'TOLD firing/resolved ' + str(told) if told else 'not told'}; in {workdir}")


if __name__ == "__main__":
    main()
