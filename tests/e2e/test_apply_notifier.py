"""`obsgen apply` on a real Debian Prometheus (2.42, without prometheus/prometheus#14987) whose reload empties its
notifier's Alertmanager list until the next discovery update: apply waits for the notifier to find its Alertmanager
again and tells how many alert notifications the reload dropped (generator/apply/notifier.py)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from generator.apply import notifier, prometheus, reload
from generator.apply.files import DirectoryStore, Files
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
from tests import servers
from tests.e2e.inhibition import until
from tests.e2e.test_apply import FIRST_ALERTMANAGER, _config_dir

FIRING = "groups:\n- name: reload\n  rules:\n  - alert: AlwaysFiring\n    expr: vector(1)\n"
ADDED = "groups:\n- name: added\n  rules:\n  - alert: NeverFiring\n    expr: vector(1) > 2\n"
RESEND = "--rules.alert.resend-delay=100ms"  # every evaluation sends the firing alert: a reload's gap drops some


def _config(alerting: str) -> str:
    return f"global:\n  evaluation_interval: 1s\nrule_files:\n- rules/*.yml\n{alerting}"


def _static(port: int) -> str:
    return f"alerting:\n  alertmanagers:\n  - static_configs:\n    - targets: ['127.0.0.1:{port}']\n"


def _files(directory: Path, config: str, *rules: tuple[str, str]) -> Path:
    (directory / "rules").mkdir(parents=True)
    (directory / "prometheus.yml").write_text(config)
    for name, text in rules:
        (directory / "rules" / name).write_text(text)
    return directory / "prometheus.yml"


def _metric(api: Api, name: str) -> float:
    value = reload.gauge(api, name)
    assert value is not None, f"{name} is not in Prometheus' /metrics"
    return value


WAITED = 15.0
"""Seconds a condition is waited for."""


def _firing(prom: servers.Server) -> bool:
    alerts = prom.get("/api/v1/alerts").json()["data"]["alerts"]
    return any(a["state"] == "firing" for a in alerts)


class _JustAfterDiscovery:
    """prometheus.SERVER with its reload landing just after a discovery update, however long apply's check took
    (promtool: seconds on a loaded machine), so that the notifier knows no Alertmanager for nearly
    DISCOVERY_INTERVAL after it: several evaluations, each sending the firing alert. Updates come every 5 s counted
    from Prometheus' start, and a reload whenever apply gets to it may land just before one, and drop nothing.
    Once apply has checked the files, before it copies them, the test reloads Prometheus' current files (which
    empties the notifier too), waits for the next update, and reads the dropped count (None if the update never
    came: apply turns what before_reload raises into a warning)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.dropped: float | None = None
        self.server = dataclasses.replace(prometheus.SERVER, before_reload=self.synced)

    def synced(self, api: Api, files: Files, status: object) -> list[str]:
        self.api.post("/-/reload")
        if until(lambda: _metric(self.api, notifier.DISCOVERED) > 0, WAITED, poll=0.02):
            self.dropped = _metric(self.api, notifier.DROPPED)
        return prometheus.SERVER.before_reload(api, files, status)


def test_a_reload_that_drops_alerts_is_waited_out_and_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    am_port = servers.free_port()
    am_config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    served = _files(tmp_path / "etc-prometheus", _config(_static(am_port)), ("firing.yml", FIRING))
    out = tmp_path / "out"
    _files(out / "prometheus", _config(_static(am_port)), ("firing.yml", FIRING), ("added.yml", ADDED))
    with servers.alertmanager(am_config, tmp_path, port=am_port), \
            servers.prometheus(served, tmp_path, RESEND) as prom:
        api = Api(Connection("prometheus", prom.url))
        assert until(lambda: _firing(prom), WAITED), "never firing"
        assert until(lambda: _metric(api, notifier.DISCOVERED) > 0, WAITED), "never knew the Alertmanager"
        synced = _JustAfterDiscovery(api)

        outcome = reload.apply(synced.server, out, DirectoryStore(served.parent), api)
        print(f"\n{outcome}")

        assert outcome.action == Action.UPDATED, outcome.detail
        assert synced.dropped is not None, "the notifier never found its Alertmanager after the test's reload"
        told = re.search(r"Prometheus dropped (\d+) alert notifications? across the reload", outcome.detail)
        assert told, f"the drop is not told: {outcome.detail}"
        assert _metric(api, notifier.DISCOVERED) > 0  # waited out: the notifier knows its Alertmanager again
        assert int(told.group(1)) == _metric(api, notifier.DROPPED) - synced.dropped > 0
        assert "--rules.alert.resend-delay" in outcome.detail and "inhibit rule" in outcome.detail
        assert "knew 1 Alertmanager before the reload" not in outcome.detail

        # a configuration whose discovery finds no Alertmanager: a warning after the bound, not a hang
        monkeypatch.setattr(notifier, "WAIT", 1.0)
        nowhere = tmp_path / "out-nowhere"
        empty = tmp_path / "no-alertmanagers.json"
        empty.write_text("[]\n")
        sd = f"alerting:\n  alertmanagers:\n  - file_sd_configs:\n    - files: ['{empty}']\n"
        _files(nowhere / "prometheus", _config(sd), ("firing.yml", FIRING), ("added.yml", ADDED))
        lost = reload.apply(prometheus.SERVER, nowhere, DirectoryStore(served.parent), api)
        print(lost)

        assert lost.action == Action.UPDATED, lost.detail
        assert ("WARNING: Prometheus' notifier knew 1 Alertmanager before the reload and none 1 s after it: it "
                "drops every alert it sends until it finds one") in lost.detail


def test_a_prometheus_sending_to_no_alertmanager_is_not_waited_for(tmp_path: Path) -> None:
    served = _files(tmp_path / "etc-prometheus", _config(""), ("firing.yml", FIRING))
    out = tmp_path / "out"
    _files(out / "prometheus", _config(""), ("firing.yml", FIRING), ("added.yml", ADDED))
    with servers.prometheus(served, tmp_path, RESEND) as prom:
        api = Api(Connection("prometheus", prom.url))
        assert until(lambda: _firing(prom), WAITED), "never firing"
        dropped = _metric(api, notifier.DROPPED)

        outcome = reload.apply(prometheus.SERVER, out, DirectoryStore(served.parent), api)
        print(f"\n{outcome}")

        assert outcome.action == Action.UPDATED
        assert outcome.detail == "added rules/added.yml; reloaded and verified"
        # it drops every alert, reload or not: none of that is the reload's to tell
        assert until(lambda: _metric(api, notifier.DROPPED) > dropped, WAITED), "never dropped an alert"
