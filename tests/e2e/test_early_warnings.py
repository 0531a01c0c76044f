"""The plan's "80% of problems detected proactively", measured on the live demo.

Three slow faults worsen over 1.5 hours of demo time (90 s here): a revenue decline, a memory leak and a
filling disk. A fault is detected proactively when its forecast alert (the exporter's anomaly score, or
its time to exhaustion) fires while the plan's threshold alert on the same series has not; the test
stops watching a fault as soon as one of the two fires, so it takes about 50 s when all are proactive.

The host faults run on a simulated host of their own, so their alert groups and notifications never meet
those of test_alert_delivery's incidents. The faults start once the stack has run a compressed hour, and once
no watched alert is pending or firing, so none is credited with a detection it did not make. No forecast alert may
fire in that quiet hour. Two causes of a revenue ForecastAnomaly on a healthy stack were found at the seam between
the backfilled past and the live scrapes: a gap, which made every hourly increase() dip and left the recorded
revenue flat for several forecast steps on a slow start, and a counter reset (the demo served its counters as of
its last tick, older than the scrape's timestamp, so the first live sample could read lower than the past's last
one; increase() jumped by the whole counter and the outlier then widened the detector's notion of normal so far
that the revenue decline scored 0). The test prints the gaps, asserts no reset, and says what the revenue forecast
saw when a forecast alert fires anyway.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import requests

from generator.live.client import LiveClient
from generator.live.demo.faults import SLOW_RAMP_SECONDS, Fault
from generator.live.demo.host import SIMULATED_HOSTS

PLAN_TARGET = 0.8
HOST = {"instance": SIMULATED_HOSTS[2]}
DATA = {"mountpoint": "/data", **HOST}
HOUR = 3600.0


@dataclass(frozen=True)
class Watch:
    """A slow fault, the forecast alert that should see it coming and the threshold alert it trips."""

    fault: Fault
    forecast: tuple[str, dict[str, str]]
    threshold: tuple[str, dict[str, str]]


WATCHES = (
    Watch(Fault.REVENUE_DECLINE, ("ForecastAnomaly", {"forecast": "shop_revenue"}), ("RevenueDrop", {})),
    Watch(Fault.MEMORY_LEAK, ("CapacityExhaustedSoon", {"forecast": "memory_used", **HOST}), ("MemoryHigh", HOST)),
    Watch(Fault.DISK_FILL, ("CapacityExhaustedSoon", {"forecast": "disk_free", **DATA}), ("DiskAlmostFull", DATA)),
)


def _states(live: LiveClient, alert: tuple[str, dict[str, str]]) -> set[str]:
    name, labels = alert
    return {a["state"] for a in live.alerts() if a["labels"].get("alertname") == name
            and all(a["labels"].get(k) == v for k, v in labels.items())}


def _revenue_story(live: LiveClient, since: float) -> str:
    """What the revenue forecasts saw since a time, for a failing run to explain itself: the anomaly score every
    5 s, how the exporter's runs of that forecast ended, and the end of the exporter's log."""
    start, end = since, time.time()
    params: dict[str, str | float] = {"query": 'obsgen_anomaly_score{forecast="shop_revenue"}', "start": start,
                                      "end": end, "step": 5}
    response = requests.get(live.stack.urls["prometheus"] + "/api/v1/query_range", timeout=10, params=params)
    scores = [f"{float(t) - start:.0f}s:{float(v):.2f}" for series in response.json()["data"]["result"]
              for t, v in series["values"]]
    runs = {f'{r["metric"].get("query")}/{r["metric"].get("status")}': r["value"][1]
            for r in live.query('obsgen_query_runs_total{query=~".*revenue.*"}')}
    log = (live.stack.state_dir / "logs" / "exporter.log").read_text(errors="replace").splitlines()[-15:]
    return "\n".join([f"shop_revenue anomaly score since then: {' '.join(scores)}", f"exporter runs: {runs}",
                       "exporter log:", *log])


def _wait_quiet(live: LiveClient, timeout: float, roles: tuple[str, ...] = ("forecast", "threshold")) -> None:
    """Wait until none of the watched alerts (of those roles) is pending or firing."""
    deadline = time.monotonic() + timeout
    alerts = [getattr(w, role) for w in WATCHES for role in roles]
    while any(_states(live, alert) for alert in alerts):
        assert time.monotonic() < deadline, [(a, _states(live, a)) for a in alerts if _states(live, a)]
        time.sleep(1)


def test_slow_faults_are_forecast_before_their_thresholds_trip(live: LiveClient) -> None:
    time.sleep(max(0.0, live.stack.ready_at + HOUR / live.stack.time_scale - time.time()))
    forecasts = "|".join(sorted({w.forecast[0] for w in WATCHES}))
    since_ready = f"{time.time() - live.stack.ready_at:.0f}s"
    fired = live.query(f'ALERTS{{alertname=~"{forecasts}",alertstate="firing"}}[{since_ready}]')
    pending = live.query(f'ALERTS{{alertname=~"{forecasts}",alertstate="pending"}}[{since_ready}]')
    # gaps at the backfill's seam (before ready) were a cause of such a false positive: they are printed with them
    since = f"{time.time() - live.stack.ready_at + 60:.0f}s"
    seam = {name: max(float(later[0]) - float(earlier[0]) for earlier, later in itertools.pairwise(series))
            for name, series in (("raw", live.query(f"revenue_total[{since}]")[0]["values"]),
                                 ("recorded", live.query(f"job:revenue:increase1h[{since}]")[0]["values"]))}
    resets = live.query(f"sum(resets(revenue_total[{since}]))")[0]["value"][1]
    print(f"\nfirst compressed hour of a healthy stack: {len(fired)} forecast alerts fired, {len(pending)} pending; "
          f"largest gap between revenue samples since start {seam['raw']:.1f} s raw, {seam['recorded']:.1f} s recorded;"
          f" revenue counter resets {resets}")
    assert resets == "0", "a counter reset at the backfill's seam: increase() jumps by the whole counter"
    assert fired == [], f"{[series['metric'] for series in fired]}\n{_revenue_story(live, live.stack.ready_at)}"
    _wait_quiet(live, timeout=60)  # a forecast alert pending at the end of the quiet hour is never credited
    ramp = SLOW_RAMP_SECONDS / live.stack.time_scale
    injected = {w.fault: live.inject(w.fault, host=HOST["instance"] if w.fault.on_host else "") for w in WATCHES}
    first: dict[Fault, tuple[str, float]] = {}  # which alert fired first, and after how many seconds
    deadline = time.monotonic() + ramp + 30
    try:
        while time.monotonic() < deadline and len(first) < len(WATCHES):
            for watch in (w for w in WATCHES if w.fault not in first):
                for role, alert in (("threshold", watch.threshold), ("forecast", watch.forecast)):
                    if watch.fault not in first and "firing" in _states(live, alert):
                        first[watch.fault] = (role, time.time() - injected[watch.fault])
            time.sleep(0.5)
    finally:
        for watch in WATCHES:
            live.clear(watch.fault, host=HOST["instance"] if watch.fault.on_host else "")
    proactive = 0
    for watch in WATCHES:
        role, after = first.get(watch.fault, ("neither", ramp + 30))
        proactive += role == "forecast"
        fired_first = {"forecast": watch.forecast[0], "threshold": watch.threshold[0]}.get(role, "no alert")
        print(f"\n{watch.fault.value}: {fired_first} fired first, {after:.0f} s after the injection "
              f"({after * live.stack.time_scale / 60:.0f} minutes of demo time, of {ramp:.0f} s to the worst)")
    share = proactive / len(WATCHES)
    if share < PLAN_TARGET:
        print(_revenue_story(live, injected[Fault.REVENUE_DECLINE] - 60))
    print(f"proactive detection: {proactive}/{len(WATCHES)} = {share:.0%} (plan: {PLAN_TARGET:.0%})")
    assert share >= PLAN_TARGET
    _wait_quiet(live, timeout=120, roles=("threshold",))  # no threshold alert left firing for the tests after it
