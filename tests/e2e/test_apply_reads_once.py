"""`obsgen apply` reads out/'s prometheus.yml once, however many of its steps look at it (the files its settings
name, the notifier watched across the reload, the check before and the verification after the reload), and asks
Alertmanager's /api/v2/status once, however many of its steps read it (the release check, the --force warning, the
PagerDuty incidents a reload would orphan)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.apply import alertmanager, prometheus, reload
from generator.apply.files import DirectoryStore, collect_out
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
from generator.core.releases import PROMETHEUS_DECLARED_FILE
from tests import servers

CONFIG = """global: {scrape_interval: 15s, evaluation_interval: 15s}
alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:9']}]}]}
rule_files: [rules/alerts.yml]
"""
RULES = "groups:\n- name: g\n  rules:\n  - alert: Always\n    expr: vector(1)\n"


def test_one_apply_parses_prometheus_yml_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out/prometheus"
    (out / "rules").mkdir(parents=True)
    (out / "prometheus.yml").write_text(CONFIG)
    (out / "rules/alerts.yml").write_text(RULES)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "prometheus.yml").write_text("global: {scrape_interval: 15s}\n")
    parsed: list[str] = []
    load_all = yaml.load_all

    def counted(text: str, **kwargs: Any) -> Any:  # every YAML text obsgen reads goes through core.untrusted
        parsed.append(text)
        return load_all(text, **kwargs)

    monkeypatch.setattr(yaml, "load_all", counted)
    with servers.prometheus(etc / "prometheus.yml", tmp_path) as server:
        api = Api(Connection("prometheus", server.url, retries=0))
        outcome = reload.apply(prometheus.SERVER, tmp_path / "out", DirectoryStore(etc), api)
    assert outcome.action is Action.UPDATED and "reloaded and verified" in outcome.detail, outcome
    assert parsed.count(CONFIG) == 1, f"prometheus.yml parsed {parsed.count(CONFIG)} times"


@contextmanager
def _recording(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """A loopback proxy in front of a real server: its URL, and the method and path of every request it passed."""
    passed: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def _pass(self) -> None:
            passed.append(f"{self.command} {self.path.split('?')[0]}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            request = urllib.request.Request(upstream + self.path, data=body, method=self.command,
                                             headers={k: v for k, v in self.headers.items()
                                                      if k.lower() not in ("host", "accept-encoding")})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, kind, data = response.status, response.headers.get("Content-Type", ""), response.read()
            except urllib.error.HTTPError as error:
                status, kind, data = error.code, error.headers.get("Content-Type", ""), error.read()
            servers.answer(self, status, data, kind)

        do_GET = do_POST = _pass

        def log_message(self, *args: object) -> None:
            pass

    with servers.serving(Proxy) as url:
        yield url, passed


AM_FIRST = "route: {receiver: 'null'}\nreceivers: [{name: 'null'}]\n"
AM_NEW = "route: {receiver: 'null', group_by: [alertname]}\nreceivers: [{name: 'null'}]\n"
DECLARED = '{{ define "obsgen.links.alertmanager_version" }}%s{{ end }}\n'


@pytest.mark.parametrize("force", [False, True])
def test_one_apply_asks_alertmanagers_status_once(tmp_path: Path, force: bool) -> None:
    """Built for 0.34.1, forced onto Debian's 0.25 (warned of), or built for the release it runs (not refused)."""
    out = tmp_path / "out/alertmanager"
    (out / "templates").mkdir(parents=True)
    (out / "alertmanager.yml").write_text(AM_NEW)
    (out / alertmanager.TEMPLATE).write_text(DECLARED % ("0.34.1" if force else "0.25.0"))
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "alertmanager.yml").write_text(AM_FIRST)
    with servers.alertmanager(etc / "alertmanager.yml", tmp_path) as server, _recording(server.url) as (url, passed):
        api = Api(Connection("alertmanager", url, retries=0))
        outcome = reload.apply(alertmanager.SERVER, tmp_path / "out", DirectoryStore(etc), api, force=force)
    assert outcome.action is Action.UPDATED and "reloaded and verified" in outcome.detail, outcome
    assert ("WARNING: the server runs Alertmanager 0.25.0, but out/alertmanager was built for 0.34.1" in
            outcome.detail) is force, outcome.detail
    assert passed.count("GET /api/v2/status") == 1, passed


RELEASE_YML = ("prometheus_version: 3.15.0\nset_in: Stack.prometheus_version in the Stack at definitions/stack.py:6\n"
               "setting: Stack.prometheus_version\n")


def test_a_refusal_for_another_release_reads_release_yml_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The release checked and the place the refusal names come from one read: a rebuild between two reads would
    have the refusal name where another release was set than the one refused."""
    out = tmp_path / "out/prometheus"
    (out / "rules").mkdir(parents=True)
    (out / "prometheus.yml").write_text(CONFIG)
    (out / "rules/alerts.yml").write_text(RULES)
    (out / PROMETHEUS_DECLARED_FILE).write_text(RELEASE_YML)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "prometheus.yml").write_text("global: {scrape_interval: 15s}\n")
    reads: list[tuple[str, ...]] = []

    def counted(source: Path, patterns: tuple[str, ...]) -> Any:  # how apply/prometheus reads out/'s files
        reads.append(patterns)
        return collect_out(source, patterns)

    monkeypatch.setattr(prometheus, "collect_out", counted)
    with servers.prometheus(etc / "prometheus.yml", tmp_path) as server:  # Debian's 2.42
        api = Api(Connection("prometheus", server.url, retries=0))
        outcome = reload.apply(prometheus.SERVER, tmp_path / "out", DirectoryStore(etc), api)
    assert outcome.action is Action.REFUSED, outcome
    assert "built for 3.15.0 (Stack.prometheus_version in the Stack at definitions/stack.py:6)" in outcome.detail
    read = reads.count((PROMETHEUS_DECLARED_FILE,))
    assert read == 1, f"release.yml read {read} times"
