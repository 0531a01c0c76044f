"""`obsgen status` on the real prometheus and prometheus-alertmanager: every way a server does not run out/ is a
DRIFT line and exit 1, those the APIs show (keep_firing_for, settings made only on the server) and those only the
configuration directories show (a template, a file changed and not reloaded)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from generator.build import build
from generator.live import releases
from generator.model.profile import Profile
from tests import servers
from tests.edits import edit

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "templates/obsgen.tmpl"


@dataclass
class Running:
    out: Path
    prometheus: servers.Server
    alertmanager: servers.Server
    prometheus_dir: Path
    alertmanager_dir: Path

    def status(self, out: Path | None = None, *, dirs: bool = True) -> subprocess.CompletedProcess[str]:
        args = ["--prometheus-url", self.prometheus.url, "--alertmanager-url", self.alertmanager.url]
        if dirs:
            args += ["--prometheus-dir", str(self.prometheus_dir), "--alertmanager-dir", str(self.alertmanager_dir)]
        return subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(out or self.out), *args],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    work = tmp_path_factory.mktemp("status")
    port = servers.free_port()
    out = work / "out"
    build(ROOT / "definitions", out, Profile(scrape_interval="1s", alertmanagers=(f"127.0.0.1:{port}",),
                                             alertmanager_version=releases.installed(releases.ALERTMANAGER),
                                             prometheus_version=releases.installed(releases.PROMETHEUS)))
    shutil.copytree(out / "prometheus", work / "etc-prometheus")  # copy2: out/'s times, older than the start
    shutil.copytree(out / "alertmanager", work / "etc-alertmanager")
    with servers.alertmanager(work / "etc-alertmanager/alertmanager.yml", work, port=port) as am, \
            servers.prometheus(work / "etc-prometheus/prometheus.yml", work) as prom:
        yield Running(out, prom, am, work / "etc-prometheus", work / "etc-alertmanager")


def _changed(running: Running, tmp_path: Path, path: str, old: str, new: str) -> Path:
    out = tmp_path / "out"
    shutil.copytree(running.out, out)
    edit(out / path, old, new, first=True)
    return out


def test_out_as_it_runs_is_in_sync(running: Running) -> None:
    result = running.status()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DRIFT" not in result.stdout and "obsgen status: in sync" in result.stdout
    assert "none changed since the last reload" in result.stdout


def test_a_changed_keep_firing_for_is_drift(running: Running, tmp_path: Path) -> None:
    out = _changed(running, tmp_path, "prometheus/rules/alerts.yml", "keep_firing_for: 5m", "keep_firing_for: 30m")
    result = running.status(out, dirs=False)
    assert result.returncode == 1
    assert "keep_firing_for is 5m on the server, 30m in out/" in result.stdout, result.stdout


def test_a_template_is_compared_on_disk_and_against_the_last_reload(running: Running, tmp_path: Path) -> None:
    out = _changed(running, tmp_path, f"alertmanager/{TEMPLATE}", "{{", '{{ define "x" }}x{{ end }}{{')
    without = running.status(out, dirs=False)
    assert "templates: not compared" in without.stdout
    differs = running.status(out)
    assert differs.returncode == 1
    assert f"{TEMPLATE} differs on disk from out/" in differs.stdout, differs.stdout

    on_disk = running.alertmanager_dir / TEMPLATE
    kept = on_disk.read_bytes(), on_disk.stat()
    shutil.copyfile(out / "alertmanager" / TEMPLATE, on_disk)  # copied, not reloaded: still the old template runs
    try:
        result = running.status(out)
        assert result.returncode == 1
        assert f"{TEMPLATE} changed on disk after the last reload" in result.stdout, result.stdout
    finally:
        on_disk.write_bytes(kept[0])
        os.utime(on_disk, ns=(kept[1].st_atime_ns, kept[1].st_mtime_ns))


def test_a_section_set_only_on_the_server_is_drift(running: Running) -> None:
    config = running.prometheus_dir / "prometheus.yml"
    kept = config.read_text()

    def reload(text: str) -> None:
        config.write_text(text)
        requests.post(f"{running.prometheus.url}/-/reload", timeout=30).raise_for_status()

    assert "alert_relabel_configs" not in kept and "\nalerting:\n" in kept
    reload(kept.replace("\nalerting:\n", "\nalerting:\n  alert_relabel_configs:\n  - action: labeldrop\n"
                                         "    regex: replica\n", 1))
    try:
        result = running.status(dirs=False)
        assert result.returncode == 1
        assert "alerting.alert_relabel_configs is set on the server ([{action: labeldrop, " in result.stdout, \
            result.stdout
    finally:
        reload(kept)
    assert running.status(dirs=False).returncode == 0


def test_out_built_for_other_releases_and_links_for_another_ui_are_errors(running: Running, tmp_path: Path) -> None:
    """The shipped definitions declare Alertmanager 0.34.1 (compose's), whose UI decodes a link's filter value as
    JSON, and Prometheus 3.15.0; the servers running here are Debian's 0.25, whose UI keeps it as written, and 2.42.
    Each release is said in the words of apply's refusal. Declared as they run (the fixture's out/), nothing is."""
    other = tmp_path / "out"
    build(ROOT / "definitions", other, Profile(scrape_interval="1s",
                                               alertmanagers=(running.alertmanager.url.removeprefix("http://"),)))
    result = running.status(other, dirs=False)
    assert ("alertmanager error      links: the server runs Alertmanager 0.25.0, whose UI keeps as written the filter "
            "values of the notifications' silence and alert links, escaped in out/alertmanager/templates/obsgen.tmpl "
            "for 0.34.1") in result.stdout, result.stdout
    assert 'set Stack.alertmanager_version="0.25.0" and rebuild' in result.stdout
    prometheus = releases.installed(releases.PROMETHEUS)
    assert ("alertmanager error      release: the server runs Alertmanager 0.25.0, but out/alertmanager was built for "
            "0.34.1 (Stack.alertmanager_version): its notifications' links, group keys and regexes are written for "
            '0.34.1; set Stack.alertmanager_version="0.25.0" and rebuild\n') in result.stdout
    assert (f"prometheus   error      release: the server runs Prometheus {prometheus}, but out/prometheus was built "
            "for 3.15.0 (the default of Stack.prometheus_version, which the Stack at definitions/stack.py:6 does not "
            "set): its rules and configuration (PromQL functions, regexes, settings) are written for 3.15.0; set "
            f'Stack.prometheus_version="{prometheus}" and rebuild\n') in result.stdout
    assert "DRIFT" not in result.stdout  # the server runs out/'s alertmanager.yml and prometheus.yml ...
    # ... but error lines: they are not known to run out/ as meant, so status says so and exits 1
    assert result.stdout.endswith(f"obsgen status: not known to be in sync with {other}: 3 errors (above)\n")
    assert result.returncode == 1
    result = running.status(dirs=False)
    assert " links: " not in result.stdout and " release: " not in result.stdout and result.returncode == 0, \
        result.stdout


FAILING_RULE = """groups:
- name: failing
  interval: 1s
  rules:
  - alert: TwoBecomeOne
    expr: label_replace(vector(1), "a", "1", "", "") or label_replace(vector(1), "a", "2", "", "")
    labels: {a: same}
"""
"""A rule Prometheus loads but cannot evaluate: its alert label makes its two series one ("vector contains metrics
with the same labelset after applying alert labels")."""


def test_a_rule_whose_evaluation_fails_is_an_error_and_not_in_sync(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "prometheus/rules").mkdir(parents=True)
    (out / "prometheus/prometheus.yml").write_text("global: {scrape_interval: 15s, evaluation_interval: 1s}\n"
                                                   "rule_files: [rules/*.yml]\n")
    (out / "prometheus/rules/failing.yml").write_text(FAILING_RULE)
    etc = tmp_path / "etc-prometheus"
    shutil.copytree(out / "prometheus", etc)
    with servers.prometheus(etc / "prometheus.yml", tmp_path) as prom:
        for _ in range(100):  # its first evaluation, within a second or two
            groups = prom.get("/api/v1/rules").json()["data"]["groups"]
            if groups and groups[0]["rules"][0].get("health") == "err":
                break
            time.sleep(0.1)
        result = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(out),
                                 "--prometheus-url", prom.url], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "prometheus   ok         out/prometheus: prometheus.yml loaded; 1 rule group, 1 rule as in out/" \
        .replace("out/prometheus", str(out / "prometheus")) in result.stdout, result.stdout
    assert ("prometheus   error      rule TwoBecomeOne (group failing): last evaluation failed: vector contains "
            "metrics with the same labelset after applying alert labels") in result.stdout, result.stdout
    assert result.stdout.endswith(f"obsgen status: not known to be in sync with {out}: 1 error (above)\n")
    assert result.returncode == 1


ESCAPE = "\x1b]0;owned\x07"  # sets a terminal's title: a file or a server must not reach the terminal with it


def test_status_and_apply_escape_the_servers_and_files_text(running: Running, tmp_path: Path) -> None:
    etc = tmp_path / "etc-prometheus"
    shutil.copytree(running.prometheus_dir, etc)
    (etc / f"rules/x{ESCAPE}.yml").write_text("groups: []\n")  # a file no reload loaded, named with an escape
    rules = etc / "rules/alerts.yml"
    rules.write_text(rules.read_text().replace("groups:", f"# {ESCAPE}\ngroups:", 1))  # on disk, not in out/
    status = subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(running.out),
                             "--prometheus-url", running.prometheus.url, "--prometheus-dir", str(etc)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    applied = subprocess.run([sys.executable, "-m", "generator", "apply", "--dry-run", "--out", str(running.out),
                              "--prometheus-url", running.prometheus.url, "--prometheus-dir", str(etc)],
                             capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    printed = {"status": status.stdout + status.stderr, "apply --dry-run": applied.stdout + applied.stderr}
    assert [command for command, text in printed.items() if "\x1b" in text] == [], printed
    assert all("\\x1b]0;owned\\x07" in text for text in printed.values()), printed
    assert "-# \\x1b]0;owned\\x07" in applied.stdout  # the diff's line, escaped


def test_out_through_links_is_read_as_out(running: Running, tmp_path: Path) -> None:
    """out/ given as a link to the built tree (a deploy host's current -> release-N), or holding its server parts as
    links: status reads through them, as the servers' own directories are read."""
    linked = tmp_path / "current"
    linked.symlink_to(running.out, target_is_directory=True)
    result = running.status(linked)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "obsgen status: in sync" in result.stdout

    parts = tmp_path / "parts"
    parts.mkdir()
    for part in running.out.iterdir():
        (parts / part.name).symlink_to(part, target_is_directory=part.is_dir())
    result = running.status(parts)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "obsgen status: in sync" in result.stdout


def _status_unreached(out: Path) -> subprocess.CompletedProcess[str]:
    """status of out/ against the shipped definitions, its Prometheus unreachable: out/'s own lines only."""
    return subprocess.run([sys.executable, "-m", "generator", "status", "--out", str(out), "--definitions",
                           str(ROOT / "definitions"), "--prometheus-url", "http://127.0.0.1:9", "--retries", "0"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_freshness_check_reads_through_out_s_linked_parts(tmp_path: Path) -> None:
    """The shipped out/ with its prometheus/ a link to a copy: as current as out/ itself, not 'stale'."""
    out = tmp_path / "out"
    shutil.copytree(ROOT / "out", out)
    shutil.move(out / "prometheus", tmp_path / "prometheus")
    (out / "prometheus").symlink_to(tmp_path / "prometheus", target_is_directory=True)
    result = _status_unreached(out)
    assert "stale" not in result.stdout and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert result.stdout.endswith(f"obsgen status: 1 difference from {out}\n"), result.stdout  # the unreachable one


def test_a_link_in_out_to_a_file_it_cannot_read_is_an_error_said_not_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(ROOT / "out", out)
    huge = tmp_path / "huge"
    with huge.open("wb") as sparse:
        sparse.truncate(2**31)  # a hole: no disk used
    (out / "docs/huge.md").symlink_to(huge)
    result = _status_unreached(out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr == (f"error: cannot tell whether {out} is what {ROOT / 'definitions'} builds: "
                             f"{out}/docs/huge.md: 2048.0 MiB is over the limit of 16 MiB for one file of out/\n")
