"""`obsgen demo-db`: seasonal, self-consistent shop data, and a live trickle that stops cleanly."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine

from generator.exporter.demo_db import DAY, DemoShop, create
from tests.exporter.conftest import ROOT

MONDAY = 1_704_067_200.0  # 2024-01-01 00:00 UTC


def _hourly_sessions(db: sqlite3.Connection) -> dict[tuple[int, int], int]:
    """Sessions per (weekday, hour), Monday = 0."""
    rows = db.execute("SELECT CAST(((ended_at / 86400) + 3) AS INTEGER) % 7, CAST(ended_at % 86400 / 3600 AS INTEGER),"
                      " COUNT(*) FROM sessions GROUP BY 1, 2").fetchall()
    return {(day, hour): count for day, hour, count in rows}


def test_history_has_daily_and_weekly_seasonality_and_consistent_rows(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    _, written = create(create_engine(f"sqlite:///{path}"), days=14, seed=3, now=MONDAY + 14 * DAY)
    db = sqlite3.connect(path)
    hourly = _hourly_sessions(db)

    assert 40_000 < written < 56_000  # about 3,500 a day
    weekday_evening = sum(hourly[day, 20] for day in range(5)) / 5
    weekday_night = sum(hourly[day, 4] for day in range(5)) / 5
    weekend_day = sum(sum(hourly[day, h] for h in range(24)) for day in (5, 6)) / 2
    working_day = sum(sum(hourly[day, h] for h in range(24)) for day in range(4)) / 4
    assert weekday_evening > 5 * weekday_night
    assert 1.2 < weekend_day / working_day < 1.5
    conversion, = db.execute("SELECT AVG(converted) FROM sessions").fetchone()
    abandonment, = db.execute("SELECT AVG(abandoned) FROM carts").fetchone()
    assert 0.07 < conversion < 0.13 and 0.6 < abandonment < 0.8
    converted, orders = db.execute("SELECT SUM(converted), (SELECT COUNT(*) FROM orders) FROM sessions").fetchone()
    assert converted == orders
    mismatched, = db.execute("SELECT COUNT(*) FROM orders o WHERE ABS(o.total - (SELECT SUM(amount) FROM order_items i "
                             "WHERE i.order_id = o.id)) > 0.01").fetchone()
    assert mismatched == 0
    latest, = db.execute("SELECT MAX(created_at) FROM rag_queries").fetchone()
    assert latest <= MONDAY + 14 * DAY  # nothing is written before it happened


def test_trickle_writes_the_sessions_that_end_as_time_passes(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create(engine, days=0, now=MONDAY)
    shop = DemoShop(engine)
    fake_now = [MONDAY + 20 * 3600]  # the evening peak
    stop = threading.Event()

    def clock() -> float:
        fake_now[0] += 600
        if fake_now[0] > MONDAY + 22 * 3600:
            stop.set()
        return fake_now[0]

    shop.trickle(stop, every=0.001, clock=clock)

    db = sqlite3.connect(tmp_path / "shop.db")
    count, first, last = db.execute("SELECT COUNT(*), MIN(ended_at), MAX(ended_at) FROM sessions").fetchone()
    assert count > 100 and first > MONDAY + 20 * 3600 and last <= fake_now[0]


def test_the_command_trickles_until_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    process = subprocess.Popen([sys.executable, "-m", "generator", "demo-db", "--dsn", url, "--days", "0.05",
                                "--trickle"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    written, trickling = process.stdout.readline(), process.stdout.readline()  # click flushes each line
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    report = f"exit {process.returncode}\nstdout:\n{written}{trickling}{out}\nstderr:\n{err}"
    assert process.returncode == 0, report
    assert "sessions over 0.05 days written" in written and "until stopped" in trickling, report
