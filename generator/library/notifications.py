"""Alerts Prometheus evaluates that never reach an Alertmanager: dropped on the way, or sent to fewer of the
Alertmanagers it is configured with than there are.

The other meta-monitoring alerts see why sending fails (every Alertmanager refusing, none known, a queue
filling); these see what is lost: a dropped notification is a page that never arrives.
"""

from __future__ import annotations

from generator.library import on_dashboard
from generator.library.meta import meta_alert
from generator.model import Alert, Example, Inhibition

PROMETHEUS = {"job": "prometheus", "instance": "p:9090"}
DROPPED = 'prometheus_notifications_dropped_total{job="prometheus",instance="p:9090"}'
DISCOVERED = 'prometheus_notifications_alertmanagers_discovered{job="prometheus",instance="p:9090"}'
PER_ALERTMANAGER = ('prometheus_notifications_dropped_total{job="prometheus",instance="p:9090",'
                    'alertmanager="http://am-%d:9093/api/v2/alerts"}')
"""Drops counted per Alertmanager, as a Prometheus with a queue per Alertmanager counts them."""


def dropped() -> Alert:
    """Alerts Prometheus dropped: its queue overflowed, or no Alertmanager took a batch (all refusing, none known).

    Prometheus sends every firing alert again each minute (--rules.alert.resend-delay), so a batch lost once is
    sent again: 6 minutes of drops is pages lost, not one unlucky send. Critical: the page it stands for did not
    arrive, and through the same queue this one may not either (the Watchdog's dead man's switch tells then).

    Its `for` is the window and one resend delay: a just-started Prometheus drops the batches its first evaluations
    send before discovery hands its notifier the Alertmanagers (at most every 5 s), and sends them again a minute
    later. With a `for` of the window alone, that burst seen by two self-scrapes held the increase exactly the `for`
    and paged on a plain restart (report-pipeline55: pending 12 s of ~21 s at 60x); now drops must go on past one
    resend, as they do when no Alertmanager takes the batches sent again.
    """
    return meta_alert(
        "PrometheusNotificationsDropped",
        # min over Alertmanagers where drops are counted per Alertmanager (a queue each): one of the pair dropping
        # while the other delivers loses nothing, and PrometheusErrorSendingAlertsToSomeAlertmanagers tells
        "min without (alertmanager) (increase(prometheus_notifications_dropped_total[5m])) > 0", "6m", "critical",
        "Prometheus {{ $labels.instance }} dropped {{ printf \"%.0f\" $value }} alerts in 5 minutes",
        "Alerts Prometheus {{ $labels.instance }} evaluated never reached an Alertmanager: its queue to them "
        "overflowed, or every Alertmanager refused them, or it knows none. Those pages did not arrive.",
        "Alone, the queue overflowed: compare prometheus_notifications_queue_length with its capacity and find the "
        "rule firing thousands of alerts (or raise --alertmanager.notification-queue-capacity). With "
        "PrometheusNotificationErrors or PrometheusNotConnectedToAlertmanagers (muted while this fires, as is "
        "PrometheusNotificationQueueRunningFull: Alertmanager's UI shows them inhibited), fix that first. Then compare "
        "Prometheus' /alerts with `amtool alert query` for what was lost.",
        Example(name="dropping alerts for 10 minutes fires", at="15m", fires=True, labels=PROMETHEUS, value=15,
                series={DROPPED: "0x5 0+3x15"}),
        Example(name="a quiet night (none dropped) does not", at="15m", fires=False, series={DROPPED: "0x20"}),
        Example(name="one burst (a batch lost while both Alertmanagers restarted) does not", at="12m", fires=False,
                series={DROPPED: "0x5 40x15"}),
        Example(name="a Prometheus restart (counter back to 0) while dropping still fires", at="15m", fires=True,
                labels=PROMETHEUS, value=15, series={DROPPED: "0x5 0+3x5 3+3x10"}),
        Example(name="a plain restart dropping its first batches (seen by two self-scrapes) does not", at="17m",
                fires=False, series={DROPPED: "0x10 _ 2 3x20"}),
        Example(name="the series gone (Prometheus stopped) does not", at="15m", fires=False,
                series={DROPPED: "0+3x5 _x15"}),
        Example(name="dropping on and off (2 minutes of every 4) still fires", at="18m", fires=True,
                labels=PROMETHEUS, value=15, series={DROPPED: "0 3 6 6 6 9 12 12 12 15 18 18 18 21 24 27 30 33 36"}),
        Example(name="one Alertmanager's queue dropping while the other delivers does not", at="15m", fires=False,
                series={PER_ALERTMANAGER % 1: "0+3x20", PER_ALERTMANAGER % 2: "0x20"}),
        Example(name="every Alertmanager's queue dropping fires", at="15m", fires=True, labels=PROMETHEUS,
                value=15, series={PER_ALERTMANAGER % 1: "0+3x20", PER_ALERTMANAGER % 2: "0+3x20"}),
    )


def alertmanagers_missing(configured: int) -> Alert:
    """Prometheus knows fewer Alertmanagers than the `configured` ones, but some (none: NotConnected's alert).

    With static targets the count only drops on a configuration change; in Kubernetes an Alertmanager pod that is
    gone or unready leaves the discovered endpoints, its scrape target goes with it (no TargetDown) and the one
    left gossips alone (no AlertmanagerMembersInconsistent): only this count tells.
    """
    fewer, all_ = f"{configured - 1}", f"{configured}"
    return meta_alert(
        "PrometheusAlertmanagersMissing",
        f"max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < {configured} > 0", "15m", "warning",
        f"Prometheus {{{{ $labels.instance }}}} sends to {{{{ $value }}}} of its {configured} Alertmanagers",
        "Prometheus {{ $labels.instance }} knows fewer Alertmanagers than it is configured with: the others still "
        "deliver, with no spare if one more fails.",
        "Prometheus' /api/v1/alertmanagers lists the active ones; in Kubernetes check the Alertmanager pods are "
        "Ready (the endpoints of its Service, alertmanager-<name>), in the compose stack that each name in "
        "alerting.alertmanagers resolves.",
        Example(name="one Alertmanager gone for 24 minutes fires", at="35m", fires=True, labels=PROMETHEUS,
                value=configured - 1, series={DISCOVERED: f"{all_}x10 {fewer}x30"}),
        Example(name="all of them known does not", at="35m", fires=False, series={DISCOVERED: f"{all_}x40"}),
        Example(name="none known is PrometheusNotConnectedToAlertmanagers' alert, not this one", at="35m",
                fires=False, series={DISCOVERED: "0x40"}),
        Example(name="one restarted within 5 minutes does not", at="35m", fires=False,
                series={DISCOVERED: f"{all_}x10 {fewer}x5 {all_}x25"}),
        Example(name="the series gone (Prometheus stopped) does not", at="35m", fires=False,
                series={DISCOVERED: f"{fewer}x15 _x25"}),
    )


def notification_alerts(alertmanagers: int, dashboard: str = "") -> tuple[Alert, ...]:
    """Dropped alerts, and, with more than one, fewer Alertmanagers known than the `alertmanagers` configured
    (len(Stack.alertmanagers)), opening `dashboard`."""
    alerts = (dropped(), alertmanagers_missing(alertmanagers)) if alertmanagers > 1 else (dropped(),)
    return on_dashboard(alerts, dashboard)


CAUSES_OF_DROPS = ("PrometheusNotificationErrors", "PrometheusNotConnectedToAlertmanagers",
                   "PrometheusNotificationQueueRunningFull")
"""Alerts on why a Prometheus drops its alerts: every Alertmanager refusing them, none known, its queue
overflowing."""


def notification_inhibitions(equal: tuple[str, ...] = ()) -> tuple[Inhibition, ...]:
    """Every Alertmanager refusing a Prometheus' alerts (PrometheusNotificationErrors), none known
    (PrometheusNotConnectedToAlertmanagers) or a queue that overflows (PrometheusNotificationQueueRunningFull's
    warning come true) drops them too: one outage, told once, by the drops. Those fire first (6 minutes of drops
    against 15 of errors or of a filling queue, 10 of none known), and an inhibit rule mutes only what fires after
    its cause: muting the drops behind the others would have sent both. A queue filling slowly is warned of before
    anything drops, and that warning is not taken back. Equal on the Prometheus (job, instance)
    and `equal` (the stack's external labels): another one's drops mute nothing here. A muted alert is notified if
    it still fires once the drops stop (some batches land, too many fail)."""
    return tuple(Inhibition(name=f"alerts dropped mutes {cause}", target={"alertname": cause},
                            source={"alertname": "PrometheusNotificationsDropped"}, equal=("job", "instance", *equal))
                 for cause in CAUSES_OF_DROPS)
