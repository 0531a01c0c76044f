"""`obsgen apply` asks the running Alertmanager, before it reloads, for its alert groups and warns of each paging
group whose PagerDuty incident the new routes would orphan (another group key, so another dedup_key, or no
PagerDuty at all); groups whose key stays are not named. On the real prometheus-alertmanager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.apply import alertmanager, reload
from generator.apply.files import DirectoryStore
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
from tests import servers
from tests.e2e.inhibition import post, until

DISK = {"alertname": "DiskFull", "severity": "critical", "instance": "db-1"}
CPU = {"alertname": "CpuHigh", "severity": "critical", "instance": "web-1", "team": "web"}
WARN = {"alertname": "DiskSlow", "severity": "warning", "instance": "db-1"}
INFO = {"alertname": "BackupDone", "severity": "info", "instance": "db-1"}
"""Taken by the root route, which pages nobody: a group with no incident to orphan, whatever the reload does."""


def _config(key_file: Path, disk_route: dict[str, Any], pagerduty_for_warnings: bool = True, inline_key: str = "",
            group_by: tuple[str, ...] = ("alertname", "instance")) -> str:
    """Routes paging PagerDuty (group_wait long: the groups exist, nothing is sent), the disk route as given; the
    routing key from key_file, or inline_key written in the file."""
    key = {"routing_key": inline_key} if inline_key else {"routing_key_file": str(key_file)}
    pagerduty = {"pagerduty_configs": [{**key, "url": "http://127.0.0.1:9/v2/enqueue"}]}
    return yaml.safe_dump({
        "route": {"receiver": "null", "group_by": list(group_by), "group_wait": "1h", "routes": [
            {"receiver": "page", "matchers": ['team="web"']},
            {"receiver": "page", **disk_route},
            {"receiver": "page" if pagerduty_for_warnings else "null", "matchers": ['severity="warning"']}]},
        "receivers": [{"name": "null"}, {"name": "page", **pagerduty}]})


def _applied(tmp_path: Path, new: str, dry_run: bool, inline_key: str = "") -> tuple[str, str]:
    """Apply `new` over the running config (its key inline when inline_key) with the four alerts firing (three
    paging): the outcome's detail, and the running configuration afterwards."""
    key_file = tmp_path / "pagerduty_key"
    key_file.write_text("0123456789abcdef0123456789abcdef\n")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "alertmanager.yml").write_text(_config(key_file, {"matchers": ['severity="critical"']},
                                                  inline_key=inline_key))
    out = tmp_path / "out/alertmanager"
    out.mkdir(parents=True)
    (out / "alertmanager.yml").write_text(new.replace("KEY_FILE", str(key_file)))
    with servers.alertmanager(etc / "alertmanager.yml", tmp_path) as am:
        api = Api(Connection("alertmanager", am.url))
        post(am.url, DISK, CPU, WARN, INFO)
        assert until(lambda: len(api.get("/api/v2/alerts/groups")) == 4)
        outcome = reload.apply(alertmanager.SERVER, out.parent, DirectoryStore(etc), api, dry_run=dry_run)
        print(f"\n{outcome}")
        assert outcome.action == Action.UPDATED
        return outcome.detail, str(api.get("/api/v2/status")["config"]["original"])


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_paging_groups_new_group_key_is_named_before_the_reload(tmp_path: Path, dry_run: bool) -> None:
    narrower = _config(Path("KEY_FILE"), {"matchers": ['severity="critical"', 'instance=~"db-.*"']})
    detail, running = _applied(tmp_path, narrower, dry_run)
    [warning] = [line for line in detail.splitlines() if "WARNING" in line]
    assert ('PagerDuty group {alertname="DiskFull", instance="db-1"} of receiver page (1 alert firing, DiskFull '
            'among them) gets group key {}/{instance=~"db-.*",severity="critical"}:{alertname="DiskFull", '
            'instance="db-1"} (was {}/{severity="critical"}:{alertname="DiskFull", instance="db-1"})') in warning
    assert "will not resolve from Alertmanager after this reload" in warning
    assert ('instance=~"db-.*"' in running) != dry_run  # the warning came before the reload, which still happens


def test_a_group_that_stops_paging_is_named_and_one_that_keeps_its_key_is_not(tmp_path: Path) -> None:
    unpaged = _config(Path("KEY_FILE"), {"matchers": ['severity="critical"'], "group_wait": "2h"},
                      pagerduty_for_warnings=False)
    detail, _running = _applied(tmp_path, unpaged, dry_run=True)
    warnings = [line for line in detail.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, detail  # DiskFull and CpuHigh keep their keys: a timing change orphans nothing
    assert 'PagerDuty group {alertname="DiskSlow", instance="db-1"} of receiver page' in warnings[0]
    assert "no longer reaches PagerDuty, so no resolve is sent" in warnings[0]


def test_groups_paging_another_service_under_the_same_key_are_named(tmp_path: Path) -> None:
    other = tmp_path / "other_key"
    other.write_text("fedcba9876543210fedcba9876543210\n")
    detail, _running = _applied(tmp_path, _config(other, {"matchers": ['severity="critical"']}), dry_run=True)
    warnings = [line for line in detail.splitlines() if "WARNING" in line]
    assert len(warnings) == 3, detail
    assert all("keeps its group key but pages another PagerDuty service" in warning for warning in warnings)


INLINE = "0123456789abcdef0123456789abcdef"


def test_an_inline_routing_key_that_stays_is_not_taken_for_another_service(tmp_path: Path) -> None:
    """Alertmanager shows an inline key as <secret> (config.Secret) in /api/v2/status: it cannot be compared, and
    is not taken for another key; a changed group key is still told."""
    same = _config(Path("KEY_FILE"), {"matchers": ['severity="critical"'], "group_wait": "2h"}, inline_key=INLINE)
    detail, running = _applied(tmp_path, same, dry_run=True, inline_key=INLINE)
    assert "routing_key: <secret>" in running
    assert [line for line in detail.splitlines() if "WARNING" in line] == [], detail
    narrower = _config(Path("KEY_FILE"), {"matchers": ['severity="critical"', 'instance=~"db-.*"']},
                       inline_key=INLINE)
    (tmp_path / "narrower").mkdir()
    detail, _running = _applied(tmp_path / "narrower", narrower, dry_run=True, inline_key=INLINE)
    [warning] = [line for line in detail.splitlines() if "WARNING" in line]
    assert 'gets group key {}/{instance=~"db-.*",severity="critical"}' in warning


def test_a_group_by_label_the_alerts_lack_changes_no_key(tmp_path: Path) -> None:
    """Alertmanager's group labels are the alert's labels named in group_by (dispatch.go getGroupLabels): naming
    one the alerts do not carry leaves their group key as it was."""
    wider = _config(Path("KEY_FILE"), {"matchers": ['severity="critical"']},
                    group_by=("alertname", "instance", "cluster"))
    detail, _running = _applied(tmp_path, wider, dry_run=True)
    assert [line for line in detail.splitlines() if "WARNING" in line] == [], detail
