"""What every shipped alert does in every scenario of the library, written down.

One row per alert, one column per scenario (in library.SCENARIOS order). A behaviour is the windows in
which the alert is firing at every evaluation, or at none; the whole scenario is covered unless said.
SLO burn-rate alerts have their own generated scenarios (tests/slo/test_scenarios.py); escalation levels are
checked by the escalation policy's tests.
"""

from __future__ import annotations

from tests.scenarios.behaviour import Behaviour, firing, silent
from tests.scenarios.library import (
    EIGHT_DAYS,
    FLAP_MINUTES,
    FLAP_START,
    SCENARIOS,
    STOP,
    WEEK,
)

WEEK_RUN = EIGHT_DAYS
QUIET: Behaviour = (silent(WEEK_RUN),)
"""Never fires in eight days (quiet nights, the weekend, noise and all)."""
QUIET_SHORT: Behaviour = (silent(FLAP_MINUTES),)
ALWAYS: Behaviour = (firing(0, WEEK_RUN),)

PAGES_AFTER_STOP: Behaviour = (silent(STOP), firing(STOP + 60, WEEK_RUN))
"""Silent for the normal week; firing within an hour of the stop and still firing 13 hours later."""
CONVERSION_AFTER_BREAK: Behaviour = (silent(STOP), firing(STOP + 20, WEEK + 15 * 60 + 50),
                                     firing(WEEK + 18 * 60, WEEK + 23 * 60 + 20))
"""Silent for the normal week; firing within 20 minutes of the break, except while fewer than 40 sessions a
minute are too few to judge (the afternoon lull, 16:00-17:50; RevenueDrop still pages then)."""
FLAPPING_CPU: Behaviour = (silent(FLAP_START + 4), *(
    firing(FLAP_START + 20 * cycle + 11, FLAP_START + 20 * cycle + 18) for cycle in range(6)))
"""Pending 5 minutes, then firing in each 20-minute cycle of high CPU, before its dip."""

SHOP_ALERTS = frozenset({"RevenueDrop", "ConversionRateLow"})
"""Alerts on the shop's business series: checked per shop (job) in the shared week-long run."""

#                                    normal  small   stops   checkout                decline restart flapping
EXPECTED: dict[str, tuple[Behaviour, ...]] = {
    "RevenueDrop":                    (QUIET, QUIET, PAGES_AFTER_STOP, PAGES_AFTER_STOP, QUIET, QUIET, QUIET_SHORT),
    "ConversionRateLow":              (QUIET, QUIET, QUIET, CONVERSION_AFTER_BREAK, QUIET, QUIET, QUIET_SHORT),
    "CpuHigh":                        (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, FLAPPING_CPU),
    "MemoryHigh":                     (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "Watchdog":                       (ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, (firing(0, FLAP_MINUTES),)),
    "TargetDown":                     (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusRuleEvaluationFailures": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusMissedRuleEvaluations": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusNotConnectedToAlertmanagers": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusNotificationErrors":   (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "AlertmanagerNotificationsFailing": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "ConfigReloadFailed":             (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusTSDBReloadsFailing":   (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusTSDBCompactionsFailing": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusRemoteStorageFailures": (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "PrometheusRemoteWriteBehind":    (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "ForecastAnomaly":                (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "CapacityExhaustedSoon":          (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "BusinessDatabaseDown":           (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
    "BusinessQueryFailing":           (QUIET, QUIET, QUIET, QUIET, QUIET, QUIET, QUIET_SHORT),
}


def behaviour(alert: str, scenario: str) -> Behaviour:
    """What the alert does in the scenario."""
    return EXPECTED[alert][[s.name for s in SCENARIOS].index(scenario)]
