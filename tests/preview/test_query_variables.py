"""Chained query variables (job -> instance), as kube-prometheus' dashboards chain cluster -> namespace -> pod, filled
as Grafana 12 fills them, against a real Prometheus scraping two jobs: each variable's first option when the
dashboard opens, and the panels drawing that instance's series alone; All without a custom all value drawing its
options' series, not every series; a link's job choosing the instance of that job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Gauge

from generator.preview.render import render
from generator.preview.source import DashboardFile
from tests.preview.conftest import scraped, scraping
from tests.preview_spec import page_spec, served

SCRAPE = 1.0
METRIC = "preview_chain_busy"
JOBS = {"a-first": 2, "b-second": 1}
"""Targets each job scrapes."""


def _variable(name: str, query: object, **options: Any) -> dict[str, Any]:
    return {"type": "query", "name": name, "query": query, "sort": 1, "refresh": 2,
            "datasource": {"type": "prometheus", "uid": "${datasource}"}, **options}


DOCUMENT: dict[str, Any] = {
    "uid": "chain", "title": "Chain", "time": {"from": "now-5m", "to": "now"},
    "templating": {"list": [
        _variable("job", {"query": f"label_values({METRIC}, job)", "refId": "PrometheusVariableQueryEditor"},
                  current=None),  # the query object Grafana's editor saves; kube-prometheus' `current: null`
        _variable("instance", f'label_values({METRIC}{{job="$job"}}, instance)', current={}),
        _variable("every", f'label_values({METRIC}{{job="$job"}}, instance)', multi=True, includeAll=True,
                  current={"text": ["All"], "value": ["$__all"]}),
    ]},
    "panels": [
        {"type": "timeseries", "id": 1, "title": "One", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "targets": [{"refId": "A", "expr": f'{METRIC}{{job="$job",instance="$instance"}}',
                      "legendFormat": "{{instance}}"}]},
        {"type": "timeseries", "id": 2, "title": "Every", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
         "targets": [{"refId": "A", "expr": f'{METRIC}{{instance=~"$every"}}', "legendFormat": "{{instance}}"}]},
    ]}


@pytest.fixture(scope="module")
def two_jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """A real prometheus scraping each job's exporters every second; yields its URL and each job's instances."""
    registries = {job: [CollectorRegistry() for _ in range(count)] for job, count in JOBS.items()}
    for value, registry in enumerate((r for job in registries.values() for r in job), 1):
        Gauge(METRIC, "Busy share the test sets.", registry=registry).set(value)
    with scraping(registries, tmp_path_factory.mktemp("chain")) as (url, jobs):
        while scraped(url, METRIC) < sum(JOBS.values()):
            time.sleep(0.2)
        yield url, {job: sorted(targets) for job, targets in jobs.items()}


def _page(url: str, target: str, document: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    status, spec = served(document, url, target, SCRAPE)
    assert status == 200
    return spec


def _drawn(spec: dict[str, Any], panel: int) -> list[str]:
    return sorted(series["name"] for series in spec["data"][str(panel)]["series"])


def test_chained_variables_take_their_first_option_and_the_panels_draw_its_series_alone(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    url, jobs = two_jobs
    spec = _page(url, "/d/chain/chain")
    first = jobs["a-first"][0]
    assert (_drawn(spec, 1), _drawn(spec, 2)) == ([first], jobs["a-first"])  # All: the job's instances alone
    assert {v["label"]: v["value"] for v in spec["variables"]} == {"job": "a-first", "instance": first,
                                                                   "every": "All"}
    assert spec["note"] == ""


def test_a_links_job_chooses_that_jobs_instance(two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    url, jobs = two_jobs
    spec = _page(url, "/d/chain/chain?var-job=b-second&var-every=All")  # All from the link: b-second's options
    assert {v["label"]: v["value"] for v in spec["variables"]}["instance"] == jobs["b-second"][0]
    assert _drawn(spec, 1) == _drawn(spec, 2) == jobs["b-second"]


BROKEN = {**DOCUMENT, "templating": {"list": [*DOCUMENT["templating"]["list"][:2], {
    **DOCUMENT["templating"]["list"][2], "query": f"query_result(rate({METRIC}[x]))"}]}}
"""The dashboard with a variable whose query Prometheus rejects."""


def test_a_failing_variable_query_is_a_note_and_its_panels_fall_back(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    url, _ = two_jobs
    spec = _page(url, "/d/chain", BROKEN)
    assert spec["note"].startswith("Variable every: its query failed (") and "parse error" in spec["note"]
    assert len(_drawn(spec, 2)) == sum(JOBS.values())  # as before: `.*` for its All


UNKNOWN_IN_REGEX = {**DOCUMENT, "templating": {"list": [*DOCUMENT["templating"]["list"][:2], _variable(
    "every", f"label_values({METRIC}, job)", regex="/$nowhere|^b-.*/", current={})]}}
"""The dashboard with a variable whose regex names a variable it lacks."""


def test_a_regex_naming_a_variable_the_dashboard_lacks_runs_with_it_as_written(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    """scenes' sceneInterpolator leaves a variable it does not find as written: the regex `/$nowhere|^b-.*/` runs
    as it stands, its first branch (an end of text, then `nowhere`) matching nothing, its second b-second. The old
    preview gave up on the variable's options and kept its value without them."""
    url, _ = two_jobs
    spec = _page(url, "/d/chain", UNKNOWN_IN_REGEX)
    assert spec["note"] == ("Variable every: its regex names $nowhere, which the dashboard lacks: Grafana runs the "
                            "regex with it as written.")
    assert {v["label"]: v["value"] for v in spec["variables"]}["every"] == "b-second"  # its one option


UNKNOWN_IN_QUERY = {**DOCUMENT, "templating": {"list": [*DOCUMENT["templating"]["list"][:2], _variable(
    "every", f'label_values({METRIC}{{job=~"$nowhere|b-.*"}}, job)', current={})]}}
"""The dashboard with a variable whose query names a variable it lacks, inside a regex matcher."""


def test_a_query_naming_a_variable_the_dashboard_lacks_is_sent_with_it_as_written(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    """scenes' sceneInterpolator leaves a variable it does not find as written, and the data source sends the query
    so: Prometheus reads `job=~"$nowhere|b-.*"` as an RE2 regex whose first branch matches nothing and whose second
    matches b-second, the variable's one option. The old preview sent nothing and kept the variable's value without
    options."""
    url, _ = two_jobs
    spec = _page(url, "/d/chain", UNKNOWN_IN_QUERY)
    assert spec["note"] == ("Variable every: its query names $nowhere, which the dashboard lacks: Grafana sends it "
                            "as written.")
    assert {v["label"]: v["value"] for v in spec["variables"]}["every"] == "b-second"


def test_a_variable_without_include_all_nor_current_opens_at_its_first_option_not_its_all_value(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    """scenes' MultiValueVariable.getStateUpdateGivenNewOptions: no current (`''`), no includeAll, so the first
    option of the query's answer, whatever the variable's allValue (which only All would write): the preview asks
    its Prometheus and takes that option (core/grafana_variable_value.opening_value's allValue stands in only until
    the query has answered, or when it fails)."""
    url, jobs = two_jobs
    document = {**DOCUMENT, "templating": {"list": [
        _variable("job", f"label_values({METRIC}, job)", allValue="no-such-job"),
        _variable("instance", f'label_values({METRIC}{{job="$job"}}, instance)', allValue="no-such-instance")]}}
    spec = _page(url, "/d/chain", document)
    assert {v["label"]: v["value"] for v in spec["variables"]} == {"job": "a-first", "instance": jobs["a-first"][0]}
    assert _drawn(spec, 1) == [jobs["a-first"][0]] and spec["note"] == ""


def test_a_variable_whose_regex_names_a_later_one_waits_for_its_value(
        two_jobs: tuple[str, dict[str, list[str]]]) -> None:
    """scenes' QueryVariable depends on the variables its regex names too (VariableDependencyConfig statePaths
    regex, query, datasource): `picked`, listed before `job`, runs once job has its value (a-first), its regex
    `/$job/` then keeping a-first alone. The old preview ran it first, with job's `.*`, and its reversed sort
    (2) chose b-second."""
    url, _ = two_jobs
    document = {**DOCUMENT, "templating": {"list": [
        _variable("picked", f"label_values({METRIC}, job)", regex="/$job/", sort=2, current={}),
        *DOCUMENT["templating"]["list"]]}}
    spec = _page(url, "/d/chain", document)
    assert {v["label"]: v["value"] for v in spec["variables"]}["picked"] == "a-first" and spec["note"] == ""


def test_a_rendered_picture_notes_a_failing_variable_query(two_jobs: tuple[str, dict[str, list[str]]],
                                                          tmp_path: Path) -> None:
    url, jobs = two_jobs
    [done] = render([DashboardFile(Path("chain.json"), "Tests", BROKEN)], url, tmp_path, time.time(), SCRAPE)
    assert len(done.variable_notes) == 1 and done.variable_notes[0].startswith("Variable every: its query failed")
    spec = page_spec(done.html.read_text())
    assert spec["note"] == done.variable_notes[0] and done.png.stat().st_size > 0
    assert sorted(series["name"] for series in spec["data"]["1"]["series"]) == [jobs["a-first"][0]]
