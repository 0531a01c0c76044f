"""Preview speed: drawing each shipped dashboard once its data is fetched, and a served page's update latency.

1. Render: a temporary Prometheus holds the demo's 8 days of history; every dashboard of out/grafana is
   fetched, then written as HTML, loaded in headless Chromium until drawn, and photographed (PNG). The
   drawing part (HTML + load + PNG) is timed per dashboard, over several runs, against the plan's 2 s.
2. Serve: `obsgen preview --serve` on the same Prometheus; Development (refresh 5 s) is opened in Chromium
   and each push is timed from the server sending it to the page having drawn it. A change in Prometheus
   shows after at most refresh + query + push.

Usage: python bench/preview_render.py [runs] [pushes]   (defaults 3 and 4; about a minute)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.build import load
from generator.live.demo_prometheus import demo_prometheus
from generator.preview.browser import Chromium
from generator.preview.page import PAGE_WIDTH
from generator.preview.render import render
from generator.preview.source import dashboards, scrape_interval

ROOT = Path(__file__).resolve().parents[1]
GRAFANA = ROOT / "out" / "grafana"
PLAN_TARGET = 2.0


def bench_render(url: str, runs: int) -> None:
    found = dashboards(GRAFANA)
    draws: dict[str, list[float]] = {d.title: [] for d in found}
    fetches: dict[str, list[float]] = {d.title: [] for d in found}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            for done in render(found, url, Path(out), time.time(), scrape_interval(GRAFANA)):
                draws[done.dashboard.title].append(done.draw_seconds)
                fetches[done.dashboard.title].append(done.fetch_seconds)
                size = done.size
    print(f"render ({runs} runs, {PAGE_WIDTH} px wide; last PNG {size[0]}x{size[1]}):")
    print(f"  {'dashboard':<18} {'panels':>6} {'data s':>7} {'HTML+PNG s':>11} {'worst s':>8} {'of 2 s':>7}")
    for dashboard in found:
        panels = sum(1 for p in dashboard.document["panels"] if p.get("type") != "row")
        draw = statistics.median(draws[dashboard.title])
        print(f"  {dashboard.title:<18} {panels:>6} {statistics.median(fetches[dashboard.title]):>7.2f} {draw:>11.2f} "
              f"{max(draws[dashboard.title]):>8.2f} {max(draws[dashboard.title]) / PLAN_TARGET:>7.2f}")


def bench_serve(url: str, pushes: int) -> None:
    server = subprocess.Popen([sys.executable, "-m", "generator", "preview", "--serve", "--grafana", str(GRAFANA),
                               "--prometheus", url, "--dashboard", "development"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split(" on ")[1].split("/ ")[0]
        with Chromium() as browser:
            tab = browser.tab()
            tab.load(f"{base}/d/development", PAGE_WIDTH)
            opened = time.monotonic()
            while (tab.evaluate("Number(document.documentElement.dataset.updates || 0)") < pushes
                   and time.monotonic() - opened < 10 * pushes):
                time.sleep(0.1)
            latencies = [push["drawn"] - push["sent"] for push in tab.evaluate("window.previewPushes") if push["drawn"]]
            intervals = (time.monotonic() - opened) / max(1, len(latencies))
    finally:
        server.terminate()
        server.wait(timeout=10)
    milliseconds = sorted(1000 * v for v in latencies)
    print(f"serve (Development, refresh 5s): {len(latencies)} pushes, one every {intervals:.1f} s; "
          f"push -> drawn median {statistics.median(milliseconds):.0f} ms, worst {milliseconds[-1]:.0f} ms")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    pushes = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    found = dashboards(GRAFANA)
    started = time.perf_counter()
    with demo_prometheus(load(ROOT / "definitions"), set().union(*(d.series_read() for d in found)),
                         int(time.time())) as url:
        print(f"demo Prometheus ready in {time.perf_counter() - started:.1f} s")
        bench_render(url, runs)
        bench_serve(url, pushes)


if __name__ == "__main__":
    main()
