"""out/prometheus/release.yml checked out with CRLF line breaks (git's core.autocrlf on Windows) declares its
release as the LF one does: `obsgen apply` refuses a server running another release, not copies past the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.apply import prometheus, reload
from generator.apply.files import DirectoryStore
from generator.apply.http import Api, Connection
from generator.apply.outcome import Action
from generator.core.releases import PROMETHEUS_DECLARED_FILE
from tests import servers
from tests.e2e.test_apply_reads_once import CONFIG, RELEASE_YML, RULES


@pytest.mark.parametrize("line_break", ["\r\n", "\r"])
def test_a_release_yml_with_crlf_is_read_as_written(tmp_path: Path, line_break: str) -> None:
    out = tmp_path / "out/prometheus"
    (out / "rules").mkdir(parents=True)
    (out / "prometheus.yml").write_text(CONFIG)
    (out / "rules/alerts.yml").write_text(RULES)
    (out / PROMETHEUS_DECLARED_FILE).write_bytes(RELEASE_YML.replace("\n", line_break).encode())
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "prometheus.yml").write_text("global: {scrape_interval: 15s}\n")
    with servers.prometheus(etc / "prometheus.yml", tmp_path) as server:  # Debian's 2.42
        api = Api(Connection("prometheus", server.url, retries=0))
        outcome = reload.apply(prometheus.SERVER, tmp_path / "out", DirectoryStore(etc), api)
    assert outcome.action is Action.REFUSED, outcome
    assert ("built for 3.15.0 (Stack.prometheus_version in the Stack at definitions/stack.py:6): its rules"
            in outcome.detail), outcome.detail
    assert (etc / "prometheus.yml").read_text() == "global: {scrape_interval: 15s}\n"
