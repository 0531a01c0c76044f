"""`obsgen demo-db`: an e-commerce/RAG database with daily and weekly seasonality, and an optional live trickle.

Sessions end as a Poisson process whose rate follows the time of day (a lunch and an evening peak, quiet
nights) and the day of the week (busier weekends). A session is written when it ends, together with what
it produced: a cart (checked out or abandoned), an order with its lines, RAG questions, a survey score.
So every row's times are in the past when it is written, and counts grow smoothly as time passes.
Times are Unix seconds, which keeps the business SQL in definitions/business.py identical on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, func, select

DAY = 86_400.0
SESSIONS_PER_SECOND = 0.04  # mean rate; about 3,500 sessions a day
SEGMENTS = (("new", 0.55, 0.05), ("returning", 0.35, 0.11), ("vip", 0.10, 0.24))  # name, share, conversion
CATEGORIES = {"books": 14.0, "electronics": 180.0, "home": 45.0, "fashion": 38.0, "sports": 60.0, "toys": 25.0}
PRODUCTS_PER_CATEGORY = 4
USERS = 3_000
RAG_STATUSES = (("ok", 0.93), ("no_answer", 0.05), ("error", 0.02))
ORDER_STATUSES = (("completed", 0.96), ("refunded", 0.02), ("cancelled", 0.02))

metadata = MetaData()
products = Table("products", metadata, Column("id", Integer, primary_key=True), Column("name", String(64)),
                 Column("category", String(32)), Column("price", Float))
users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("segment", String(16)),
              Column("created_at", Float))
sessions = Table("sessions", metadata, Column("id", Integer, primary_key=True), Column("user_id", Integer),
                 Column("started_at", Float), Column("ended_at", Float, index=True), Column("converted", Integer))
carts = Table("carts", metadata, Column("id", Integer, primary_key=True), Column("session_id", Integer),
              Column("created_at", Float), Column("closed_at", Float, index=True), Column("abandoned", Integer))
orders = Table("orders", metadata, Column("id", Integer, primary_key=True), Column("session_id", Integer),
               Column("user_id", Integer), Column("created_at", Float), Column("status", String(16)),
               Column("total", Float))
order_items = Table("order_items", metadata, Column("id", Integer, primary_key=True), Column("order_id", Integer),
                    Column("product_id", Integer), Column("category", String(32)), Column("quantity", Integer),
                    Column("amount", Float))
rag_queries = Table("rag_queries", metadata, Column("id", Integer, primary_key=True), Column("session_id", Integer),
                    Column("created_at", Float, index=True), Column("status", String(16)),
                    Column("latency_seconds", Float), Column("cost", Float), Column("relevance", Float))
feedback = Table("feedback", metadata, Column("id", Integer, primary_key=True), Column("user_id", Integer),
                 Column("created_at", Float, index=True), Column("score", Integer))
ID_TABLES = (sessions, carts, orders, order_items, rag_queries, feedback)


class Stop(Protocol):
    """Waits up to a timeout and tells whether to stop (a threading.Event, a signal flag...)."""

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when it is time to stop."""


def session_rate(t: np.ndarray) -> np.ndarray:
    """Sessions ending per second at Unix times t (UTC): daily lunch/evening peaks, busier weekends."""
    hour = (t % DAY) / 3600.0
    weekday = (np.floor(t / DAY) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    daily = 0.12 + 0.7 * np.exp(-(((hour - 13.0) / 2.5) ** 2)) + 1.0 * np.exp(-(((hour - 20.5) / 2.2) ** 2))
    weekly = np.where(weekday >= 5, 1.35, np.where(weekday == 4, 1.1, 1.0))
    return SESSIONS_PER_SECOND * daily * weekly / 0.4565  # 0.4565: the weekly mean of daily * weekly


@dataclass
class Ids:
    """Next free id per table, so rows written in batches can reference each other."""

    next: dict[str, int]

    def take(self, table: Table, count: int) -> np.ndarray:
        """`count` new ids for `table`."""
        first = self.next[table.name]
        self.next[table.name] = first + count
        return np.arange(first, first + count)


def _choice(rng: np.random.Generator, options: tuple[tuple[str, float], ...], size: int) -> np.ndarray:
    names = np.array([name for name, _ in options])
    return names[rng.choice(len(options), size=size, p=[share for _, share in options])]


def _rows(**columns: np.ndarray) -> list[dict[str, Any]]:
    """Row dicts from equally long column arrays (as plain Python values, which every driver accepts)."""
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*(c.tolist() for c in columns.values()), strict=True)]


@dataclass(frozen=True)
class Shop:
    """What sessions draw from: product prices and categories (by id - 1), each user's conversion rate."""

    prices: np.ndarray
    categories: np.ndarray
    user_conversion: np.ndarray


def _session_ends(rng: np.random.Generator, start: float, end: float) -> np.ndarray:
    """Sorted end times of the sessions in [start, end), drawn per minute at the seasonal rate."""
    edges = np.append(np.arange(start, end, 60.0), end)
    counts = rng.poisson(session_rate((edges[:-1] + edges[1:]) / 2) * np.diff(edges))
    return np.sort(rng.uniform(np.repeat(edges[:-1], counts), np.repeat(edges[1:], counts)))


def events(
    rng: np.random.Generator, ids: Ids, shop: Shop, start: float, end: float
) -> dict[Table, list[dict[str, Any]]]:
    """Rows for every session ending in [start, end), with everything it produced."""
    ended = _session_ends(rng, start, end)
    n = ended.size
    session_ids = ids.take(sessions, n)
    user_ids = rng.integers(1, shop.user_conversion.size + 1, n)
    started = ended - rng.lognormal(math.log(360.0), 0.7, n)
    evening = np.exp(-((((ended % DAY) / 3600.0 - 20.5) / 2.5) ** 2))
    converted = rng.random(n) < shop.user_conversion[user_ids - 1] * (1.0 + 0.3 * evening)
    has_cart = converted | (rng.random(n) < 0.3)
    cart_created = started + (ended - started) * rng.uniform(0.1, 0.6, n)
    order_ids = ids.take(orders, int(converted.sum()))
    line_order = np.repeat(order_ids, rng.integers(1, 4, order_ids.size))
    line_product = rng.integers(1, shop.prices.size + 1, line_order.size)
    quantity = rng.integers(1, 3, line_order.size)
    amount = np.round(shop.prices[line_product - 1] * quantity, 2)
    totals = np.bincount(np.searchsorted(order_ids, line_order), weights=amount, minlength=order_ids.size)
    asker = np.repeat(np.arange(n), rng.poisson(1.3, n))
    rag_status = _choice(rng, RAG_STATUSES, asker.size)
    tokens = rng.lognormal(math.log(900.0), 0.5, asker.size)
    surveyed = rng.random(n) < 0.05
    scores = np.clip(np.round(rng.normal(np.where(converted[surveyed], 8.6, 7.2), 1.3)), 1, 10)
    return {
        sessions: _rows(id=session_ids, user_id=user_ids, started_at=started, ended_at=ended,
                        converted=converted.astype(int)),
        carts: _rows(id=ids.take(carts, int(has_cart.sum())), session_id=session_ids[has_cart],
                     created_at=cart_created[has_cart], closed_at=ended[has_cart],
                     abandoned=(~converted[has_cart]).astype(int)),
        orders: _rows(id=order_ids, session_id=session_ids[converted], user_id=user_ids[converted],
                      created_at=ended[converted], status=_choice(rng, ORDER_STATUSES, order_ids.size),
                      total=np.round(totals, 2)),
        order_items: _rows(id=ids.take(order_items, line_order.size), order_id=line_order, product_id=line_product,
                           category=shop.categories[line_product - 1], quantity=quantity, amount=amount),
        rag_queries: _rows(id=ids.take(rag_queries, asker.size), session_id=session_ids[asker],
                           created_at=started[asker] + (ended - started)[asker] * rng.random(asker.size),
                           status=rag_status, latency_seconds=np.round(rng.lognormal(0.2, 0.5, asker.size), 3),
                           cost=np.round(0.0004 + tokens * 0.000004, 6),
                           relevance=np.round(np.where(rag_status == "ok", rng.beta(8, 2, asker.size), 0.0), 3)),
        feedback: _rows(id=ids.take(feedback, int(surveyed.sum())), user_id=user_ids[surveyed],
                        created_at=ended[surveyed], score=scores.astype(int)),
    }


class DemoShop:
    """The demo database: its catalogue and users, and the writer of sessions as they end."""

    def __init__(self, engine: Engine, seed: int = 7) -> None:
        self.engine = engine
        self.rng = np.random.default_rng(seed)
        with engine.connect() as conn:
            catalogue = conn.execute(select(products.c.price, products.c.category).order_by(products.c.id)).all()
            segments = conn.execute(select(users.c.segment).order_by(users.c.id)).scalars().all()
            ids = {t.name: int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) + 1
                   for t in ID_TABLES}
        conversion = {name: rate for name, _, rate in SEGMENTS}
        self.shop = Shop(np.array([price for price, _ in catalogue]), np.array([category for _, category in catalogue]),
                         np.array([conversion[segment] for segment in segments]))
        self.ids = Ids(ids)

    @classmethod
    def create(cls, engine: Engine, created_at: float, seed: int = 7) -> DemoShop:
        """Drop and create the demo tables, with the catalogue and users."""
        rng = np.random.default_rng(seed + 1)
        metadata.drop_all(engine)
        metadata.create_all(engine)
        catalogue = [{"id": 1 + c * PRODUCTS_PER_CATEGORY + k, "name": f"{category}-{k + 1}", "category": category,
                      "price": round(float(price * rng.uniform(0.5, 1.6)), 2)}
                     for c, (category, price) in enumerate(CATEGORIES.items()) for k in range(PRODUCTS_PER_CATEGORY)]
        people = _rows(id=np.arange(1, USERS + 1),
                       segment=_choice(rng, tuple((name, share) for name, share, _ in SEGMENTS), USERS),
                       created_at=np.full(USERS, created_at))
        with engine.begin() as conn:
            conn.execute(products.insert(), catalogue)
            conn.execute(users.insert(), people)
        return cls(engine, seed)

    def write(self, start: float, end: float) -> int:
        """Write every session ending in [start, end); returns how many."""
        rows = events(self.rng, self.ids, self.shop, start, end)
        with self.engine.begin() as conn:
            for table, batch in rows.items():
                if batch:
                    conn.execute(table.insert(), batch)
        return len(rows[sessions])

    def trickle(self, stop: Stop, every: float = 1.0, clock: Any = time.time) -> None:
        """Write the sessions ending since the last write, every `every` seconds, until `stop` says so."""
        last = clock()
        while not stop.wait(every):
            now = clock()
            self.write(last, now)
            last = now


def create(engine: Engine, days: float, seed: int = 7, now: float | None = None) -> tuple[DemoShop, int]:
    """A fresh demo database holding `days` of history up to `now`; returns it and the sessions written."""
    end = time.time() if now is None else now
    shop = DemoShop.create(engine, end - days * DAY, seed)
    written = sum(shop.write(lo, min(lo + DAY, end)) for lo in np.arange(end - days * DAY, end, DAY).tolist())
    return shop, written
