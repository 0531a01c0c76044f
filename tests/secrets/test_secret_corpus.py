"""Secrets smuggled into every kind of field: each stops the build at its definition's line, naming the field,
and none reaches out/ (tests/secrets/corpus.yml). The shipped definitions hold none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build
from generator.core.errors import DefinitionError
from tests.importer.conftest import base_definitions

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus.yml").read_text())
PRELUDE = '''from generator.model import (Alert, Dashboard, Example, ExporterSettings, GrafanaSettings, Link, Panel,
                             Query, RecordingRule, Row, ScrapeJob, Source, WebhookChannel)

from ._alert import VALID

PANEL_FIELDS = {"title": "Requests", "kind": "timeseries", "description": "Requests per second.", "unit": "reqps",
                "queries": (Query(expr="sum by (job) (rate(requests_total[$__rate_interval]))"),)}
PANEL = Panel(**PANEL_FIELDS)
'''
CASES: list[dict[str, Any]] = CORPUS["cases"]


def test_the_corpus_smuggles_at_least_forty_secrets_through_every_kind_of_field() -> None:
    kinds = {case["kind"] for case in CASES}
    assert len(CASES) >= 40
    assert {"annotation", "label", "runbook", "rule expression", "dashboard", "link", "extra", "provisioning",
            "channel", "exporter"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}: {c['field']}: {c['secret']}" for c in CASES])
def test_a_smuggled_secret_stops_the_build_at_its_field(tmp_path: Path, case: dict[str, Any]) -> None:
    definitions = base_definitions(tmp_path)
    secret = CORPUS["secrets"][case["secret"]]
    statement = case["module"].replace("SECRET", secret.replace("\\", "\\\\").replace('"', '\\"'))
    (definitions / "smuggle.py").write_text(PRELUDE + "\n" + statement + "\n")
    line = PRELUDE.count("\n") + 2
    out = tmp_path / "out"

    with pytest.raises(DefinitionError) as raised:
        build(definitions, out)

    error = raised.value
    assert (Path(error.location.file).name, error.location.line) == ("smuggle.py", line), str(error)
    assert case["field"] in error.message, error.message
    assert secret not in error.message, error.message  # the error goes to CI's log: the secret shown cut short
    assert not out.exists() or not any(secret in p.read_text() for p in out.rglob("*") if p.is_file())
