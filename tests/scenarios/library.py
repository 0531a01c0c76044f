"""The scenario library: what the world does (traffic, hosts, the pipeline) in each situation alerts must get right.

A scenario is promtool input series over a span of minutes, sampled (and evaluated) every `step` minutes.
What each shipped alert does in it is written down in expected.py; test_scenarios.py runs both through the
shipped rule files with promtool. To add a scenario: a builder here, and in expected.UNLIKE_QUIET
what any alert does in it other than stay quiet.

Week-long scenarios share one promtool run, so the rules are evaluated over eight days once, not once per
scenario: each is a shop of its own (its `job` label), and alerts on the business series are checked per
shop. They share one background of hosts and pipeline (BACKGROUND); alerts on it must behave the same in all
of them. Promtool cannot stop evaluating rules, so a Prometheus restart is what the data shows of it: every
series of that scenario, and of the background, without samples for RESTART_GAP minutes; what a restart does to
`for` state and the escalation ladder is shown on a live stack restarted mid-incident (tests/e2e/test_restarts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.scenarios import world
from tests.scenarios.world import Traffic, Values

DAY = 24 * 60
WEEK = 7 * DAY
EIGHT_DAYS = WEEK + DAY
"""A week of history for week-over-week baselines, and the day under test (a Monday)."""
WEEK_STEP = 2
"""Minutes between samples and evaluations of the week-long run: under 5 minutes, so an alert reading a recorded
series evaluated after it in the same step still finds the previous value within the lookback."""
STOP = WEEK + 10 * 60
"""The second Monday, 10:00: when traffic stops or checkout breaks."""
RESTART = WEEK + 12 * 60
RESTART_GAP = 10
"""The second Monday, 12:00: Prometheus down for 10 minutes."""


@dataclass(frozen=True)
class Scenario:
    """A history fed to promtool: `series()` sampled every `step` minutes, rules evaluated at the same step."""

    name: str
    description: str
    minutes: int
    step: int
    series: Callable[[], dict[str, Values]]
    shop: str = ""
    """The `job` of its shop when it shares a run: alerts on business series are checked for that job only."""
    values: tuple[tuple[int, str, float], ...] = ()
    """(minute, expression, the value it must have then): what the scenario shows beyond alerts."""


def _shop(name: str, **options: object) -> dict[str, Values]:
    return world.business(EIGHT_DAYS, WEEK_STEP, name, **options)  # type: ignore[arg-type]


def background() -> dict[str, Values]:
    """Hosts at 35% CPU and a healthy pipeline, shared by the week-long scenarios, with the restart's gap."""
    series = {**world.hosts(EIGHT_DAYS, WEEK_STEP), **world.pipeline(EIGHT_DAYS, WEEK_STEP)}
    return world.gap(series, RESTART, RESTART + RESTART_GAP, WEEK_STEP)


def normal_week() -> dict[str, Values]:
    return _shop("normal-week")


def small_shop_week() -> dict[str, Values]:
    return _shop("small-shop-week", traffic=Traffic(scale=1.0))


def traffic_stops() -> dict[str, Values]:
    return world.vanish(_shop("traffic-stops"), (), STOP, WEEK_STEP)


def checkout_broken() -> dict[str, Values]:
    return world.vanish(_shop("checkout-broken"), ("sales_conversions_total", "revenue_total"), STOP, WEEK_STEP)


def slow_decline() -> dict[str, Values]:
    return _shop("slow-decline", order_value=lambda minute: 1.0 - 0.03 * minute / DAY)


def prometheus_restart() -> dict[str, Values]:
    return world.gap(_shop("prometheus-restart"), RESTART, RESTART + RESTART_GAP, WEEK_STEP)


FLAP_MINUTES = 150
FLAP_START = 10
"""CPU is above 90% from minute 10 to 130, except one minute in every 20."""


def cpu_flapping() -> dict[str, Values]:
    def busy(minute: int) -> float:
        inside = minute - FLAP_START
        if not 0 <= inside < 120:
            return 0.35
        return 0.5 if inside % 20 == 19 else 0.97
    return {**world.hosts(FLAP_MINUTES, 1, busy), **world.pipeline(FLAP_MINUTES, 1)}


REFUND_MINUTES = 60
REFUND_AT = 30
ORDERS_PER_MINUTE = 10


def refund() -> dict[str, Values]:
    return {**world.exported_orders(REFUND_MINUTES, ORDERS_PER_MINUTE, REFUND_AT),
            **world.pipeline(REFUND_MINUTES, 1)}


BLIP_MINUTES = 90
BLIP_AT = 30
"""A quiet night's Alertmanager: the dead man's switch's webhook pinged every 5 minutes, one notification given up
on (its retries failed) at minute 30."""


def pager_blip() -> dict[str, Values]:
    webhook = 'job="alertmanager",instance="alertmanager:9093",integration="webhook"'
    return {**world.pipeline(BLIP_MINUTES, 1),
            f"alertmanager_notifications_total{{{webhook}}}": [minute // 5 for minute in range(BLIP_MINUTES)],
            f"alertmanager_notifications_failed_total{{{webhook}}}": [float(minute >= BLIP_AT)
                                                                       for minute in range(BLIP_MINUTES)]}


FAILING_MINUTES = 150
FAILING_FROM = 20
FAILING_RUNS = (20, 31, 40, 51, 60, 71, 80, 91, 100, 111, 120, 131, 140)
"""A forecast run every 10 minutes fails from minute 20 on; its runs end 9 or 11 minutes apart (how long each took
varies), so a window of one interval holds no run at times."""


def forecast_failing() -> dict[str, Values]:
    query = 'job="obsgen-exporter",query="disk_free"'
    return {**world.pipeline(FAILING_MINUTES, 1),
            'obsgen_prometheus_up{job="obsgen-exporter"}': [1.0] * FAILING_MINUTES,
            f'obsgen_query_runs_total{{{query},status="success"}}': [float(min(minute, FAILING_FROM - 1) // 10 + 1)
                                                                      for minute in range(FAILING_MINUTES)],
            f'obsgen_query_runs_total{{{query},status="error"}}': [float(sum(run <= minute for run in FAILING_RUNS))
                                                                    for minute in range(FAILING_MINUTES)],
            f"obsgen_query_consecutive_failures{{{query}}}": [float(sum(run <= minute for run in FAILING_RUNS))
                                                              for minute in range(FAILING_MINUTES)]}


RENAME_MINUTES = 60
RENAME_AT = 20
"""node-exporter upgraded at minute 20: node_memory_MemAvailable_bytes is exported under another name from then on."""


def host_metric_renamed() -> dict[str, Values]:
    series = {**world.hosts(RENAME_MINUTES, 1), **world.pipeline(RENAME_MINUTES, 1)}
    return world.vanish(series, ("node_memory_MemAvailable_bytes",), RENAME_AT, 1)


def week(name: str, description: str, series: Callable[[], dict[str, Values]]) -> Scenario:
    """A week-long scenario: its own shop in the shared run."""
    return Scenario(name, description, EIGHT_DAYS, WEEK_STEP, series, shop=name)


SCENARIOS = (
    week("normal-week", "Eight days of the shop's daily and weekly traffic (quiet nights, lunch and evening peaks, "
         "busier weekends, Poisson noise; about 100 orders an hour at night, 1,300 at the Saturday peak): "
         "nothing is broken.", normal_week),
    week("small-shop-week", "The same week at the demo database's scale: 4 orders an hour at night, 50 at the "
         "evening peak, too few for a halving to mean anything.", small_shop_week),
    week("traffic-stops", "A normal week, then on the second Monday at 10:00 the shop's series vanish entirely "
         "(no session, order or revenue is exported again) for the 14 hours left.", traffic_stops),
    week("checkout-broken", "A normal week, then on the second Monday at 10:00 sessions go on but no order is "
         "placed: the order and revenue counters are never written again.", checkout_broken),
    week("slow-decline", "Order values erode 3% a day for eight days (21% less than the same hour last week).",
         slow_decline),
    week("prometheus-restart", f"A normal week; on the second Monday at 12:00 Prometheus is down for "
         f"{RESTART_GAP} minutes and has no sample of anything, then carries on.", prometheus_restart),
    Scenario("cpu-flapping", "A host above 90% CPU for 114 of 120 minutes, with a one-minute dip to 50% every 20 "
             "minutes.", FLAP_MINUTES, 1, cpu_flapping,
             # the ladder climbs through the dips (CpuHigh keeps firing through them: expected.FLAPPING_CPU): level 1
             # 15 minutes after CpuHigh fires, level 2 30, level 3 60
             values=tuple((FLAP_START + minute, f'count(ALERTS{{alertname="CpuHigh",alertstate="firing",'
                                                f'escalation_level="{level}"}}) or vector(0)', float(reached))
                          for minute, level, reached in ((15, 1, 0), (30, 1, 1), (30, 2, 0), (50, 2, 1),
                                                         (119, 3, 1)))),
    Scenario("refund", f"The exporter's order counters, by the shipped SQL, on a shop placing {ORDERS_PER_MINUTE} "
             f"orders a minute; at minute {REFUND_AT} no order is placed and one completed order is refunded (its "
             "status changes).",
             REFUND_MINUTES, 1, refund,
             # the 15 minutes up to REFUND_AT + 10 hold the refund's minute, when no order was placed
             values=((REFUND_AT + 10, "sum(increase(shop_orders_total[15m]))", 14.0 * ORDERS_PER_MINUTE),
                     (REFUND_MINUTES - 1, "sum(resets(shop_orders_total[59m]))", 0.0))),
    Scenario("pager-blip", "A quiet night's Alertmanager sends only the dead man's switch's pings, one every 5 "
             f"minutes; at minute {BLIP_AT} one of them is given up on after its retries (a third of 15 minutes' "
             "notifications).", BLIP_MINUTES, 1, pager_blip),
    Scenario("host-metric-renamed", f"A host whose node-exporter, still scraped, stops exporting "
             f"node_memory_MemAvailable_bytes at minute {RENAME_AT} (renamed by an upgrade): MemoryHigh can no "
             "longer fire.", RENAME_MINUTES, 1, host_metric_renamed),
    Scenario("forecast-failing", f"The disk_free forecast, run every 10 minutes, fails at every run from minute "
             f"{FAILING_FROM} on, its runs ending 9 or 11 minutes apart.", FAILING_MINUTES, 1, forecast_failing),
)
