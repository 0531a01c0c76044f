"""Grafana gets the Loki and Tempo data sources only when the project uses them (it stores logs or traces, or a
dashboard names them): a new `obsgen init` project provisions Prometheus and Alertmanager alone, and no data source
or dashboard links to one that is not there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.build import compile_definitions
from generator.model.conventions import GRAFANA_DATASOURCES
from generator.scaffold import create
from tests.checks.test_cases import CASE_MODULE, project_with
from tests.gitops.test_kubernetes_datasources import dashboard_uids

EXPLORE_LOGS = '''
from generator.model import Dashboard, ExploreLink, Panel, Row
LOGS = ExploreLink(title="Logs", datasource="loki", query='{service_name="api"}')
BOARD = Dashboard(name="Dev", description="Dev.", links=(LOGS,), rows=(Row(title="R", panels=(
    Panel(kind="line", title="Rate", description="Rate.", unit="reqps", queries="sum(rate(x_total[$__rate_interval]))"),
)),), external_series=("x_total",))
'''


def _provisioned(definitions: Path) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The data sources by uid, and every uid a dashboard or a data source's link names."""
    compiled = compile_definitions(definitions)
    assert compiled.report.errors == [] and compiled.rendered is not None, compiled.report.errors
    sources = {source["uid"]: source for source in compiled.rendered[GRAFANA_DATASOURCES]["datasources"]}
    named = set(re.findall(r"datasourceUid: (\w+)", yaml.safe_dump(list(sources.values()))))
    for path, document in compiled.rendered.items():
        if path.startswith("grafana/dashboards/") and path.endswith(".json"):
            named |= dashboard_uids(document)
    return sources, named


def test_a_new_project_provisions_prometheus_and_alertmanager_alone(tmp_path: Path) -> None:
    create(tmp_path / "payments")
    sources, named = _provisioned(tmp_path / "payments/definitions")
    assert list(sources) == ["prometheus", "alertmanager"]
    assert "exemplarTraceIdDestinations" not in sources["prometheus"]["jsonData"]  # no Tempo to link exemplars to
    assert named <= set(sources), named - set(sources)


def test_a_dashboard_exploring_logs_gets_loki_without_links_to_a_missing_tempo(tmp_path: Path) -> None:
    sources, named = _provisioned(project_with(tmp_path, {CASE_MODULE: EXPLORE_LOGS}))
    assert list(sources) == ["prometheus", "alertmanager", "loki"]
    assert "derivedFields" not in sources["loki"]["jsonData"]  # trace ids would link to Tempo
    assert named <= set(sources), named - set(sources)


def test_logs_and_traces_stored_get_both_linked_to_each_other(tmp_path: Path) -> None:
    module = ("from generator.model import LogStorage, TracingPolicy\nSTORE = LogStorage(retention=\"7d\")\n"
              "TRACES = TracingPolicy(default_ratio=0.1)\n")
    sources, named = _provisioned(project_with(tmp_path, {CASE_MODULE: module}))
    assert list(sources) == ["prometheus", "alertmanager", "loki", "tempo"]
    assert {"loki", "tempo", "prometheus"} <= named <= set(sources)


def test_a_loki_or_tempo_url_given_in_the_settings_gets_its_data_source(tmp_path: Path) -> None:
    """A Loki or Tempo run elsewhere (its logs or traces not stored by this project): the URL given says it is used."""
    module = "from generator.model import GrafanaSettings\nGRAFANA = GrafanaSettings(tempo_url=\"http://tempo.ops:3200\")\n"
    sources, named = _provisioned(project_with(tmp_path, {CASE_MODULE: module}))
    assert list(sources) == ["prometheus", "alertmanager", "tempo"]
    assert sources["tempo"]["url"] == "http://tempo.ops:3200" and named <= set(sources)
