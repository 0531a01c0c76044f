"""The Grafana client of `obsgen apply` / `obsgen status` against a loopback Grafana following the documented API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.apply import grafana
from generator.apply.grafana_api import Grafana
from generator.apply.http import Api, Connection, Credentials
from generator.apply.outcome import Action, Kind
from tests.grafana_fake import FakeGrafana, fake_grafana

TOKEN = "obsgen-token"


def _dashboard(uid: str, title: str, refresh: str = "10s") -> dict[str, Any]:
    return {"id": None, "uid": uid, "title": title, "version": 1, "schemaVersion": 39, "refresh": refresh,
            "panels": [{"id": 1, "type": "timeseries", "title": "Request rate",
                        "targets": [{"expr": "sum(rate(http_requests_total[$__rate_interval]))"}]}]}


def _write(out: Path, folder: str, body: dict[str, Any]) -> Path:
    path = out / grafana.DASHBOARDS / folder / f"{body['uid']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2))
    return path


@pytest.fixture
def fake() -> Iterator[FakeGrafana]:
    with fake_grafana() as server:
        yield server


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    _write(out, "Operations", _dashboard("operations", "Operations"))
    _write(out, "Operations", _dashboard("development", "Development", refresh="5s"))
    _write(out, "", _dashboard("executive", "Executive", refresh="30s"))
    return out


def _client(fake: FakeGrafana, token: str = TOKEN) -> Grafana:
    return Grafana(Api(Connection("grafana", fake.url, Credentials(token=token), timeout=5, retries=0)))


def _ui_save(fake: FakeGrafana, uid: str, **changes: Any) -> None:
    """What the Grafana UI does when alice saves a dashboard: POST it back with the version she loaded."""
    current = requests.get(f"{fake.url}/api/dashboards/uid/{uid}", auth=("alice", "alice-password"), timeout=5).json()
    body = {"dashboard": {**current["dashboard"], **changes}, "folderUid": current["meta"]["folderUid"],
            "message": "", "overwrite": False}
    requests.post(f"{fake.url}/api/dashboards/db", json=body, auth=("alice", "alice-password"),
                  timeout=5).raise_for_status()


def _actions(outcomes: list[Any]) -> dict[str, Action]:
    return {o.subject: o.action for o in outcomes}


def test_first_apply_creates_folders_and_dashboards_and_a_second_uploads_nothing(fake: FakeGrafana, out: Path) -> None:
    first = grafana.apply(_client(fake), out)
    assert _actions(first) == {"folder Operations": Action.CREATED,
                               "Operations/development.json (Development)": Action.CREATED,
                               "Operations/operations.json (Operations)": Action.CREATED,
                               "executive.json (Executive)": Action.CREATED}
    assert fake.dashboards["operations"].folder_uid == "operations" == fake.folders["operations"]["uid"]
    assert fake.dashboards["executive"].folder_uid == ""
    assert fake.dashboards["operations"].versions[-1]["message"].startswith("obsgen apply")

    seen = len(fake.requests)
    second = grafana.apply(_client(fake), out)
    assert set(_actions(second).values()) == {Action.UNCHANGED}
    assert [method for method, _ in fake.requests[seen:]] == ["GET"] * 5  # folders, search, 3 dashboards


def test_dashboards_of_the_default_folder_general_go_to_grafanas_root_folder(fake: FakeGrafana, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "General", _dashboard("operations", "Operations"))  # Dashboard.folder's default
    _write(out, "Team", _dashboard("team", "Team"))
    fake.save({"dashboard": _dashboard("someone", "Someone's")}, "alice")  # not obsgen's, in the root folder

    first = grafana.apply(_client(fake), out)

    assert _actions(first) == {"folder Team": Action.CREATED, "General/operations.json (Operations)": Action.CREATED,
                               "Team/team.json (Team)": Action.CREATED}
    assert fake.dashboards["operations"].folder_uid == "" and "general" not in fake.folders
    assert set(_actions(grafana.apply(_client(fake), out)).values()) == {Action.UNCHANGED}
    assert {f.kind for f in grafana.status(_client(fake), out)} == {Kind.OK}  # someone's dashboard is not named


def test_the_fake_refuses_the_root_folder_as_grafana_does(fake: FakeGrafana) -> None:
    for body in ({"uid": "general", "title": "Mine"}, {"uid": "mine", "title": "general"}):
        answer = requests.post(f"{fake.url}/api/folders", json=body, headers={"Authorization": f"Bearer {TOKEN}"},
                               timeout=5)
        assert answer.status_code == 400, answer.text


def test_a_changed_file_updates_the_dashboard_at_the_next_version(fake: FakeGrafana, out: Path) -> None:
    grafana.apply(_client(fake), out)
    _write(out, "Operations", _dashboard("operations", "Operations", refresh="5s"))

    outcomes = grafana.apply(_client(fake), out)

    updated = next(o for o in outcomes if o.action == Action.UPDATED)
    assert updated.subject == "Operations/operations.json (Operations)"
    assert updated.detail == "differs in refresh; Grafana has version 1, as obsgen applied it; now version 2"
    assert fake.dashboards["operations"].data["refresh"] == "5s"
    assert [o.action for o in outcomes].count(Action.UNCHANGED) == 2


def test_a_dashboard_edited_in_grafana_is_refused_and_named_until_forced(fake: FakeGrafana, out: Path) -> None:
    grafana.apply(_client(fake), out)
    _ui_save(fake, "operations", refresh="1m")
    _write(out, "Operations", _dashboard("operations", "Operations", refresh="5s"))

    refused = next(o for o in grafana.apply(_client(fake), out) if o.action == Action.REFUSED)

    assert refused.subject == "Operations/operations.json (Operations)"
    assert "version 2 saved by alice at" in refused.detail and "obsgen applied version 1" in refused.detail
    assert refused.detail.endswith("not overwritten: --force replaces it with out/")
    assert fake.dashboards["operations"].data["refresh"] == "1m"

    forced = next(o for o in grafana.apply(_client(fake), out, force=True) if o.subject == refused.subject)
    assert forced.action == Action.UPDATED and forced.detail.endswith("now version 3")
    assert fake.dashboards["operations"].data["refresh"] == "5s"
    assert all(f.kind == Kind.OK for f in grafana.status(_client(fake), out))


def test_a_save_in_grafana_while_applying_gets_a_version_conflict_not_an_overwrite(fake: FakeGrafana,
                                                                                    out: Path) -> None:
    grafana.apply(_client(fake), out)
    _write(out, "", _dashboard("executive", "Executive", refresh="1m"))
    fake.before_next_save.append(lambda: _ui_save(fake, "executive", refresh="2m"))

    failed = next(o for o in grafana.apply(_client(fake), out) if o.action != Action.UNCHANGED)

    assert failed.action == Action.FAILED
    assert failed.detail == ("someone saved it in Grafana while obsgen was applying it; nothing overwritten, "
                             "run obsgen apply again")
    assert fake.dashboards["executive"].data["refresh"] == "2m"


def test_the_fake_answers_a_stale_version_as_grafana_documents(fake: FakeGrafana, out: Path) -> None:
    grafana.apply(_client(fake), out)
    stale = {"dashboard": {**_dashboard("executive", "Executive"), "version": 0}, "overwrite": False}
    answer = requests.post(f"{fake.url}/api/dashboards/db", json=stale, headers={"Authorization": f"Bearer {TOKEN}"},
                           timeout=5)
    assert answer.status_code == 412
    assert answer.json() == {"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}


def test_dry_run_reports_what_would_change_and_sends_nothing(fake: FakeGrafana, out: Path) -> None:
    outcomes = grafana.apply(_client(fake), out, dry_run=True)
    assert [str(o).split()[1:3] for o in outcomes] == [["would", "create"]] * 4
    assert not [r for r in fake.requests if r[0] == "POST"]
    assert fake.dashboards == {}


def test_an_out_without_dashboards_sends_nothing(fake: FakeGrafana, tmp_path: Path) -> None:
    (outcome,) = grafana.apply(_client(fake), tmp_path)
    assert (outcome.action, outcome.detail) == (Action.UNCHANGED, "no dashboard files; nothing to apply")
    assert [f.kind for f in grafana.status(_client(fake), tmp_path)] == [Kind.NOTE]
    assert fake.requests == []


def test_a_dashboard_file_that_is_a_link_or_a_directory_is_refused_before_any_request(fake: FakeGrafana,
                                                                                       out: Path) -> None:
    secret = out.parent / "secret.json"
    secret.write_text(json.dumps(_dashboard("leak", "Leak")))
    (out / grafana.DASHBOARDS / "Operations/leak.json").symlink_to(secret)
    with pytest.raises(grafana.ApplyInputError, match=r"Operations/leak.json: Too many levels of symbolic links"):
        grafana.apply(_client(fake), out)
    (out / grafana.DASHBOARDS / "Operations/leak.json").unlink()
    (out / grafana.DASHBOARDS / "Operations/x.json").mkdir()
    with pytest.raises(grafana.ApplyInputError, match=r"Operations/x.json: Is a directory"):
        grafana.apply(_client(fake), out)
    assert fake.requests == []


def test_a_provisioned_dashboard_is_never_saved_through_the_api(fake: FakeGrafana, out: Path) -> None:
    fake.provision(_dashboard("executive", "Executive", refresh="1h"))
    outcome = next(o for o in grafana.apply(_client(fake), out, force=True) if o.subject.startswith("executive"))
    assert outcome.action == Action.REFUSED and "Grafana provisions it from files" in outcome.detail
    assert fake.dashboards["executive"].data["refresh"] == "1h"


def test_status_names_each_kind_of_drift(fake: FakeGrafana, out: Path) -> None:
    grafana.apply(_client(fake), out)
    _ui_save(fake, "executive", refresh="1m")
    _write(out, "Operations", _dashboard("operations", "Operations", refresh="5s"))
    _write(out, "Operations", _dashboard("errors", "Errors"))
    _ui_save(fake, "development")  # saved in the UI without a change
    fake.save({"dashboard": _dashboard("hand-made", "Hand made"), "folderUid": "operations"}, "alice")

    findings = {f.subject: (f.kind, f.detail) for f in grafana.status(_client(fake), out)}

    assert findings["Operations/errors.json (Errors)"] == (Kind.DRIFT, "missing: not in Grafana")
    assert findings["Operations/operations.json (Operations)"][1].startswith("out/ changed: differs in refresh")
    assert findings["executive.json (Executive)"][1].startswith("edited in Grafana: differs in refresh; version 2 "
                                                                "saved by alice")
    assert findings["Operations/development.json (Development)"] == (Kind.OK, "in sync: version 2")
    assert findings["hand-made (Hand made)"][0] == Kind.NOTE


def test_a_wrong_token_is_reported_as_unreadable_by_status(fake: FakeGrafana, out: Path, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("not-the-token\n")
    result = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(out), "--grafana-url",
                             fake.url, "--grafana-token-file", str(token_file), "--retries", "0"],
                            capture_output=True, text=True, env={**os.environ, "GRAFANA_TOKEN": TOKEN})
    assert result.returncode == 1
    assert "UNREADABLE grafana: grafana: GET /api/folders answered 401: Unauthorized" in result.stdout


def test_apply_and_status_commands_read_the_token_from_the_environment(fake: FakeGrafana, out: Path) -> None:
    def obsgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", *args, "--out", str(out)], capture_output=True,
                              text=True, env={**os.environ, "GRAFANA_URL": fake.url, "GRAFANA_TOKEN": TOKEN})

    applied = obsgen("apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied.stdout.splitlines()[-1] == "obsgen apply: 4 created, 0 updated, 0 unchanged, 0 refused, 0 failed"
    assert obsgen("status").returncode == 0
    _ui_save(fake, "executive", refresh="1m")
    drift = obsgen("status")
    assert drift.returncode == 1 and "1 difference from" in drift.stdout
    assert TOKEN not in drift.stdout + drift.stderr
