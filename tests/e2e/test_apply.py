"""`obsgen apply` and `obsgen status` on the real prometheus and prometheus-alertmanager (--web.enable-lifecycle)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.apply import alertmanager, prometheus, referenced, reload
from generator.apply.files import CommandStore, DirectoryStore, collect
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
from generator.build import build
from generator.live import releases
from generator.model.profile import Profile
from tests import servers
from tests.edits import CPU_HIGH, cpu_high, edit, set_cpu_high_threshold

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
FIRST_PROMETHEUS = "global:\n  scrape_interval: 15s\n"
FIRST_ALERTMANAGER = "route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n"


def _obsgen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=120)
    print(result.stdout, result.stderr)
    return result


SECRETS = "/etc/alertmanager-secrets/"  # where definitions/ keeps Alertmanager's credentials


def _build(definitions: Path, out: Path, alertmanager_port: int, secrets: bool = True,
           alertmanager_version: str | None = None, prometheus_version: str | None = None) -> Path:
    """out/ built for the test's servers (the installed Alertmanager's and Prometheus' releases unless others are
    given: apply refuses out/ built for another); with secrets, its Alertmanager reads its credentials from files
    written beside out/ (apply refuses a configuration naming files the server does not have)."""
    build(definitions, out, Profile(scrape_interval="1s", alertmanagers=(f"127.0.0.1:{alertmanager_port}",),
                                    alertmanager_version=alertmanager_version or releases.installed(),
                                    prometheus_version=prometheus_version or releases.installed(releases.PROMETHEUS)))
    if secrets:
        config = out / "alertmanager" / alertmanager.CONFIG
        here = out.parent / f"{out.name}-secrets"
        config.write_text(config.read_text().replace(SECRETS, f"{here}/"))
        for path in referenced.named_files(config.read_bytes()):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text("https://hooks.example.invalid/x\n")
    return out


def _break_cpu_high(rules: Path) -> None:
    """CpuHigh's expression in built alerts.yml made one promtool rejects (an unclosed left parenthesis)."""
    edit(rules, CPU_HIGH, "rate(instance:cpu_usage:percent")


def _config_dir(path: Path, name: str, text: str) -> Path:
    path.mkdir(parents=True)
    (path / name).write_text(text)
    return path / name


def _wait_firing(server: servers.Server, alertname: str) -> None:
    for _ in range(100):
        if any(a["labels"]["alertname"] == alertname and a["state"] == "firing"
               for a in server.get("/api/v1/alerts").json()["data"]["alerts"]):
            return
        time.sleep(0.1)
    raise AssertionError(f"{alertname} never fired")


def _loaded_query(server: servers.Server, rule: str) -> str:
    groups = server.get("/api/v1/rules").json()["data"]["groups"]
    query: str = next(r["query"] for g in groups for r in g["rules"] if r["name"] == rule)
    return query


def test_apply_loads_out_then_a_changed_threshold_and_status_follows(tmp_path: Path) -> None:
    am_port = servers.free_port()
    out = _build(DEFINITIONS, tmp_path / "out", am_port)
    prom_config = _config_dir(tmp_path / "etc-prometheus", "prometheus.yml", FIRST_PROMETHEUS)
    am_config = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    with servers.alertmanager(am_config, tmp_path, port=am_port) as am, \
            servers.prometheus(prom_config, tmp_path) as prom:
        urls = {"PROMETHEUS_URL": prom.url, "ALERTMANAGER_URL": am.url}
        dirs = ("--prometheus-dir", str(prom_config.parent), "--alertmanager-dir", str(am_config.parent))

        first = _obsgen("apply", "--out", str(out), *dirs, **urls)
        assert first.returncode == 0
        assert "alertmanager updated" in " ".join(first.stdout.split())
        assert "prometheus updated" in " ".join(first.stdout.split())
        assert collect(prom_config.parent, prometheus.SERVER.patterns) == collect(out / "prometheus",
                                                                                 prometheus.SERVER.patterns)
        assert _loaded_query(prom, "CpuHigh") == CPU_HIGH

        _wait_firing(prom, "Watchdog")
        in_sync = _obsgen("status", "--out", str(out), **urls)
        assert in_sync.returncode == 0, in_sync.stdout
        assert "obsgen status: in sync" in in_sync.stdout and "DRIFT" not in in_sync.stdout
        assert "heartbeat Watchdog: firing, as it should" in in_sync.stdout, in_sync.stdout

        again = _obsgen("apply", "--out", str(out), *dirs, **urls)
        assert again.returncode == 0 and "0 updated, 2 unchanged" in again.stdout

        # not beside the out/ trees: those are built for the test's servers (a profile, secrets moved), which
        # apply would refuse as stale next to the definitions they differ from
        definitions = tmp_path / "edited" / "definitions"
        shutil.copytree(DEFINITIONS, definitions)
        set_cpu_high_threshold(definitions, 92)
        changed = _build(definitions, tmp_path / "out-changed", am_port)

        drift = _obsgen("status", "--out", str(changed), **urls)
        assert drift.returncode == 1
        assert (f"rule CpuHigh (group alerts, alerts.yml): expr is `{CPU_HIGH}` on the server, "
                f"`{cpu_high(92)}` in out/") in drift.stdout

        dry = _obsgen("apply", "--dry-run", "--out", str(changed), *dirs, **urls)
        assert dry.returncode == 0 and f"+    expr: {cpu_high(92)}" in dry.stdout
        assert _loaded_query(prom, "CpuHigh") == CPU_HIGH

        second = _obsgen("apply", "--out", str(changed), *dirs, **urls)
        assert second.returncode == 0
        # the escalation copies evaluate CpuHigh's condition for its value: their file changes with it
        assert "changed rules/alerts.yml, rules/escalation-default-alerts.yml; reloaded and verified" in second.stdout
        assert _loaded_query(prom, "CpuHigh") == cpu_high(92)
        assert _obsgen("status", "--out", str(changed), **urls).returncode == 0


def _reload_timestamp(api: Api, server: str) -> float | None:
    return reload.gauge(api, f"{server}_config_last_reload_success_timestamp_seconds")


def test_configs_the_validators_reject_are_refused_before_reload(tmp_path: Path) -> None:
    am_port = servers.free_port()
    out = _build(DEFINITIONS, tmp_path / "out", am_port)
    prom_dir, am_dir = tmp_path / "etc-prometheus", tmp_path / "etc-alertmanager"
    shutil.copytree(out / "prometheus", prom_dir)
    shutil.copytree(out / "alertmanager", am_dir)
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    _break_cpu_high(broken / "prometheus/rules/alerts.yml")
    config = broken / "alertmanager/alertmanager.yml"
    config.write_text(config.read_text().replace("receiver: email_team_lead", "receiver: nobody"))
    with servers.alertmanager(am_dir / "alertmanager.yml", tmp_path, port=am_port) as am, \
            servers.prometheus(prom_dir / "prometheus.yml", tmp_path) as prom:
        apis = {name: Api(Connection(name, server.url)) for name, server in
                (("prometheus", prom), ("alertmanager", am))}
        before = {name: (_reload_timestamp(api, name), collect(directory, server.patterns))
                  for (name, api), directory, server in zip(apis.items(), (prom_dir, am_dir),
                                                            (prometheus.SERVER, alertmanager.SERVER), strict=True)}

        refused_rules = reload.apply(prometheus.SERVER, broken, DirectoryStore(prom_dir), apis["prometheus"])
        refused_routes = reload.apply(alertmanager.SERVER, broken, DirectoryStore(am_dir), apis["alertmanager"])
        print(f"\n{refused_rules}\n{refused_routes}")

        assert refused_rules.action == Action.REFUSED and "promtool check rules rejected it" in refused_rules.detail
        assert "unclosed left parenthesis" in refused_rules.detail
        assert refused_routes.action == Action.REFUSED and "amtool check-config rejected it" in refused_routes.detail
        assert 'undefined receiver "nobody"' in refused_routes.detail
        for (name, api), directory, server in zip(apis.items(), (prom_dir, am_dir),
                                                  (prometheus.SERVER, alertmanager.SERVER), strict=True):
            assert (_reload_timestamp(api, name), collect(directory, server.patterns)) == before[name]
        assert _loaded_query(prom, "CpuHigh") == CPU_HIGH
        assert prometheus.differences(apis["prometheus"], collect(out / "prometheus", prometheus.SERVER.patterns)) == []


def test_a_reload_the_server_refuses_puts_the_previous_files_back(tmp_path: Path) -> None:
    # Prometheus in agent mode accepts no rule_files: promtool passes out/, the server's reload fails.
    remote = tmp_path / "remote-etc"
    config = _config_dir(remote, "prometheus.yml", FIRST_PROMETHEUS)
    store = CommandStore(pull=f"cp -R {remote}/. {{dir}}/",
                         push=f"rm -rf {remote}/rules && cp -R {{dir}}/. {remote}/")
    out = _build(DEFINITIONS, tmp_path / "out", servers.free_port())
    port = servers.free_port()
    argv = ["prometheus", "--enable-feature=agent", f"--config.file={config}", "--web.enable-lifecycle",
            f"--storage.agent.path={tmp_path / 'agent-data'}", f"--web.listen-address=127.0.0.1:{port}"]
    with servers.run(argv, "/-/ready", port, tmp_path, "prometheus-agent") as agent:
        api = Api(Connection("prometheus", agent.url))
        outcome = reload.apply(prometheus.SERVER, out, store, api)
        print(f"\n{outcome}")

        assert outcome.action == Action.FAILED
        assert "reload failed" in outcome.detail and "not allowed in agent mode" in outcome.detail
        assert outcome.detail.endswith("previous files restored and reloaded")
        assert sorted(p.name for p in remote.iterdir()) == ["prometheus.yml"]
        assert config.read_text() == FIRST_PROMETHEUS
        assert reload.gauge(api, "prometheus_config_last_reload_successful") == 1
        assert "rule_files" not in agent.get("/api/v1/status/config").json()["data"]["yaml"]


@pytest.mark.parametrize("dry_run", [True, False])
def test_files_copied_where_the_server_does_not_read_them_are_taken_back(tmp_path: Path, dry_run: bool) -> None:
    am_port = servers.free_port()
    out = _build(DEFINITIONS, tmp_path / "out", am_port)
    served = _config_dir(tmp_path / "etc-alertmanager", "alertmanager.yml", FIRST_ALERTMANAGER)
    elsewhere = _config_dir(tmp_path / "wrong-dir", "alertmanager.yml", FIRST_ALERTMANAGER)
    with servers.alertmanager(served, tmp_path, port=am_port) as am:
        outcome = reload.apply(alertmanager.SERVER, out, DirectoryStore(elsewhere.parent),
                               Api(Connection("alertmanager", am.url)), dry_run=dry_run)
    print(f"\n{outcome}")
    if dry_run:
        assert (outcome.action, outcome.planned) == (Action.UPDATED, True)
        assert "added templates/obsgen.tmpl; changed alertmanager.yml; would reload" in outcome.detail
    else:
        assert outcome.action == Action.FAILED
        assert "reloaded, but the server does not run the new files: alertmanager_config_hash is" in outcome.detail
        assert outcome.detail.endswith("previous files restored and reloaded")
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["alertmanager.yml"]
    assert elsewhere.read_text() == FIRST_ALERTMANAGER
