"""What every shipped alert does in every scenario of the library, written down.

Each alert is QUIET in every scenario but those UNLIKE_QUIET names for it. A behaviour is the windows in which the
alert is firing at every evaluation, or at none; a window without an end lasts to the end of the scenario.
SLO burn-rate alerts have their own generated scenarios (tests/slo/test_scenarios.py); escalation levels are
checked by the escalation policy's tests.
"""

from __future__ import annotations

from tests.scenarios.behaviour import Behaviour, firing, silent
from tests.scenarios.library import FLAP_START, RENAME_AT, RESTART, RESTART_GAP, SCENARIOS, STOP, WEEK

QUIET: Behaviour = (silent(),)
"""Never fires (on the week-long scenarios: eight days of quiet nights, weekends, noise and all)."""
ALWAYS: Behaviour = (firing(0),)

PAGES_AFTER_STOP: Behaviour = (silent(STOP), firing(STOP + 60))
"""Silent for the normal week; firing within an hour of the stop and still firing 13 hours later."""
CONVERSION_AFTER_BREAK: Behaviour = (silent(STOP), firing(STOP + 20, WEEK + 15 * 60 + 50),
                                     firing(WEEK + 18 * 60, WEEK + 23 * 60 + 20))
"""Silent for the normal week; firing within 20 minutes of the break, except while fewer than 40 sessions a
minute are too few to judge (the afternoon lull, 16:00-17:50; RevenueDrop still pages then)."""
FLAPPING_CPU: Behaviour = (silent(FLAP_START + 4), firing(FLAP_START + 12, FLAP_START + 120),
                           silent(start=FLAP_START + 120 + 12))
"""Pending once the median of the last 5 minutes' usage is above 90% (6 minutes in), firing 5 minutes later, then
through every dip, paged once: the recorded usage is a 5-minute rate of node-exporter's counter, so a one-minute dip
to 50% reads 87.6% for 5 minutes (a dip of the recorded usage itself the window rides alone:
tests/e2e/test_escalation_flapping.py), and the median of 5 minutes is under 90% for 4 of them, which the policy's
flap tolerance (keep_firing_for 5m) bridges; without it CpuHigh resolves and pages again after every dip and its
ladder never climbs. Resolved 7 minutes after the CPU is back to normal (the median under 90% 2 minutes after, then
keep_firing_for's 5). Its escalation levels in library.cpu_flapping's values."""

QUERY_FAILING: Behaviour = (silent(30), firing(32))
"""Firing from the second failed run in a row (minute 31) to the end, through every run however far apart they end
(a window of one run's interval let it resolve and fire again every 10 minutes)."""

NOTIFICATION_LOST: Behaviour = (silent(34), firing(36, 44), silent(start=52))
"""A notification Alertmanager gave up on is a message nobody received, on a quiet night too: pending from minute
30, firing from 35 while the failure is in the 15-minute window, held 5 minutes more (keep_firing_for)."""

HOST_METRIC_GONE: Behaviour = (silent(RENAME_AT + 14), firing(RENAME_AT + 16))
"""The job up, a series the host alerts read gone: firing 15 minutes after, for as long as it stays gone."""

NO_HOST: Behaviour = (firing(2),)
"""A world without a host has no `up` of job node: JobMissing{job="node"}, from its 1m `for` on."""
RESTART_GAP_ALL_JOBS: Behaviour = (silent(RESTART + 3), silent(start=RESTART + RESTART_GAP + 3))
"""The week's Prometheus restart is a gap in every series: from the 5m lookback into it, every job has no `up` in
promtool, which evaluates through the gap (a real Prometheus evaluates nothing while down, and scrapes its targets
within JobMissing's `for` once back); quiet before and after (the gap itself holds one series per job)."""

SHOP_ALERTS = frozenset({"RevenueDrop", "ConversionRateLow"})
"""Alerts on the shop's business series: checked per shop (job) in the shared week-long run."""

UNLIKE_QUIET: dict[str, dict[str, Behaviour]] = {
    "RevenueDrop": {"traffic-stops": PAGES_AFTER_STOP, "checkout-broken": PAGES_AFTER_STOP},
    "ConversionRateLow": {"checkout-broken": CONVERSION_AFTER_BREAK},
    "CpuHigh": {"cpu-flapping": FLAPPING_CPU},
    "Watchdog": {scenario.name: ALWAYS for scenario in SCENARIOS},
    "AlertmanagerNotificationsFailing": {"pager-blip": NOTIFICATION_LOST},
    "BusinessQueryFailing": {"forecast-failing": QUERY_FAILING},
    "HostMetricsMissing": {"host-metric-renamed": HOST_METRIC_GONE},
    "JobMissing": {**{scenario.name: RESTART_GAP_ALL_JOBS for scenario in SCENARIOS if scenario.minutes > WEEK},
                   **dict.fromkeys(("refund", "pager-blip", "forecast-failing"), NO_HOST)},
}
"""Per alert, the scenarios (by name) in which it is not QUIET."""
ALWAYS_QUIET = ("MemoryHigh", "TargetDown", "JobDown", "TargetFlapping",
                "PrometheusRuleEvaluationFailures", "PrometheusMissedRuleEvaluations",
                "PrometheusNotConnectedToAlertmanagers", "PrometheusNotificationErrors", "ConfigReloadFailed",
                "PrometheusTSDBReloadsFailing", "PrometheusTSDBCompactionsFailing", "PrometheusRemoteStorageFailures",
                "PrometheusRemoteWriteBehind", "ForecastAnomaly", "CapacityExhaustedSoon", "DiskAlmostFull",
                "BusinessDatabaseDown", "ForecastPrometheusDown", "BusinessQueryRunsMissed",
                "PrometheusErrorSendingAlertsToSomeAlertmanagers", "PrometheusNotificationQueueRunningFull",
                "PrometheusNotificationsDropped", "PrometheusAlertmanagersMissing",
                "AlertmanagerMembersInconsistent", "GrafanaRequestsFailing", "OtelCollectorRefusingData",
                "OtelCollectorExportFailing", "OtelCollectorTracesDroppedTooEarly", "LokiDiscardingSamples",
                "LokiRulerEvaluationFailures", "LokiRulerNotificationErrors", "TempoDiscardingSpans",
                "TraceCoverageLow")
"""Alerts that fire in no scenario of the library."""
EXPECTED: dict[str, tuple[Behaviour, ...]] = {
    alert: tuple(UNLIKE_QUIET.get(alert, {}).get(scenario.name, QUIET) for scenario in SCENARIOS)
    for alert in (*UNLIKE_QUIET, *ALWAYS_QUIET)
}
"""One row per alert, one column per scenario (in library.SCENARIOS order)."""
assert all(name in {scenario.name for scenario in SCENARIOS} for row in UNLIKE_QUIET.values() for name in row)


def behaviour(alert: str, scenario: str) -> Behaviour:
    """What the alert does in the scenario."""
    return EXPECTED[alert][[s.name for s in SCENARIOS].index(scenario)]
