"""`obsgen apply` reads out/'s prometheus.yml once, however many of its steps look at it (the files its settings
name, the notifier watched across the reload, the check before and the verification after the reload)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.apply import prometheus, reload
from generator.apply.files import DirectoryStore
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
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
