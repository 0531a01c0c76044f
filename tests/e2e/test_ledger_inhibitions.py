"""The notification ledger on a real Prometheus and a real Alertmanager with the shipped routes and inhibit rules.

Prometheus fires, for a dead api job, CheckoutAvailabilitySLIAbsent (the page) for 12 s, TargetDown of the api job
from 2 s to 22 s (muted while the page fires, told once it is over), TargetDown of another api instance from 2 s to
7 s (muted throughout: Alertmanager tells it neither firing nor resolved) and TargetDown of the node job throughout,
whose notifications the sink refuses. The api job's TargetDowns begin two evaluations after the page, as the live
stack's do (its absent page's `for` is shorter than TargetDown's, SM009): begun with the page, a TargetDown sent
late under load had its group flushed at once while Alertmanager's inhibitor had not yet read the page. The
ledger, reading ALERTS and the sink's records, owes nothing for what Alertmanager rightly muted and still finds the
node job's notification lost.
"""

from __future__ import annotations

import pytest

from generator.live.ledger import Tally
from tests.e2e.ledger_run import Alert, ledger, of

PAGE = {"severity": "critical", "escalation_policy": "default", "service": "checkout", "slo": "availability",
        "sli": "absent", "job": "api"}
ALERTS: dict[str, Alert] = {  # alert name, labels, seconds after the start it fires until (None: throughout) [and from]
    "page": ("CheckoutAvailabilitySLIAbsent", PAGE, 12),
    "api down": ("TargetDown", {"job": "api", "instance": "api-1", "severity": "warning"}, 22, 2),
    "api down, muted throughout": ("TargetDown", {"job": "api", "instance": "api-2", "severity": "warning"}, 7, 2),
    "node down": ("TargetDown", {"job": "node", "instance": "node-1", "severity": "warning"}, None),
}
REFUSED = '"job": "node"'
"""The sink answers 500 to any notification about the node job: each one is lost."""


@pytest.fixture(scope="module")
def tallies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Tally]]:
    found = ledger(tmp_path_factory.mktemp("ledger-inhibitions"), list(ALERTS.values()), refused=REFUSED)
    return {key: of(found, name, labels) for key, (name, labels, *_) in ALERTS.items()}


def test_the_page_is_told_firing_and_resolved(tallies: dict[str, list[Tally]]) -> None:
    assert tallies["page"] and all((t.expected_firing, t.expected_resolved, t.lost, t.duplicated) == (1, 1, 0, 0)
                                   for t in tallies["page"])


def test_a_target_down_muted_throughout_owes_nothing(tallies: dict[str, list[Tally]]) -> None:
    muted = tallies["api down, muted throughout"]
    assert muted and all((t.expected_firing, t.received_firing, t.expected_resolved, t.lost, t.duplicated) ==
                         (0, 0, 0, 0, 0) for t in muted)


def test_a_target_down_outliving_the_page_owes_its_notifications_from_then(tallies: dict[str, list[Tally]]) -> None:
    told = tallies["api down"]
    assert told and all((t.expected_firing, t.received_firing, t.expected_resolved, t.received_resolved, t.lost,
                         t.duplicated) == (1, 1, 1, 1, 0, 0) for t in told)


def test_a_refused_notification_is_still_lost(tallies: dict[str, list[Tally]]) -> None:
    lost = tallies["node down"]
    assert lost and all(t.expected_firing == 1 and t.received_firing == 0 and t.lost == 1 for t in lost)
