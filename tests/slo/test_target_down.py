"""Which TargetDown an SLO's absent page mutes: the jobs its watched inputs come from, one equality rule each."""

from __future__ import annotations

import textwrap
from pathlib import Path

from generator.build import load
from generator.derive.slo.target_down import input_jobs, pairings
from generator.model import SLO
from generator.model.project import Project
from tests.slo.tiny import write

TARGET_DOWN = '''
from generator.model import Alert, Example, ScrapeJob
CALLS = Metric(name="calls_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="c", initialised=True)
FAILED = Metric(name="calls_failed_total", type=MetricType.COUNTER, source=Source.APPLICATION, help="f",
                initialised=True)
DOWN = Alert(name="TargetDown", expr="count by (job) (up == 0) > 0", severity="warning", summary="s",
             description="d", runbook="r",
             examples=(Example(name="f", series={'up{job="a"}': "0x10"}, at="5m", fires=True, labels={"job": "a"}),))
'''


ONE_SOURCE_TWO_JOBS = '''
        JOBS = [ScrapeJob(name="shop", source=Source.APPLICATION, targets=("shop:80",)),
                ScrapeJob(name="shop.eu", source=Source.APPLICATION, targets=("shop-eu:80",))]
        RPC = SLO(service="rpc", name="availability", objective=99.9, description="Calls succeed",
                  sli=RatioSLI(errors="calls_failed_total", total="calls_total"))
'''
"""An SLO whose inputs' source two scrape jobs scrape."""


def project_of(tmp_path: Path, body: str) -> Project:
    return load(write(tmp_path, TARGET_DOWN + textwrap.dedent(body)))


def test_the_shipped_checkout_and_latency_pages_mute_the_api_jobs_target_down(project: Project) -> None:
    rules = {rule["source_matchers"][0]: rule["target_matchers"] for rule in pairings(project)}
    assert rules['alertname="CheckoutAvailabilitySLIAbsent"'] == ['alertname="TargetDown"', 'job="api"']
    assert rules['alertname="ApiLatencySLIAbsent"'] == ['alertname="TargetDown"', 'job="api"']
    assert 'alertname="MetricsPipelineScrapesSLIAbsent"' not in rules  # up stays (at 0) for a dead target
    assert {tuple(rule.get("equal", ())) for rule in pairings(project)} == {("platform",)}


def test_every_job_scraping_the_inputs_source_is_muted_by_equality(tmp_path: Path) -> None:
    project = project_of(tmp_path, ONE_SOURCE_TWO_JOBS)
    assert [rule["target_matchers"][1] for rule in pairings(project)] == ['job="shop"', 'job="shop.eu"']


def test_a_job_matcher_names_the_job_and_static_labels_narrow_the_source(tmp_path: Path) -> None:
    project = project_of(tmp_path, '''
        JOBS = [ScrapeJob(name="shop", source=Source.APPLICATION, targets=("shop:80",), labels={"tier": "web"}),
                ScrapeJob(name="batch", source=Source.APPLICATION, targets=("batch:80",), labels={"tier": "batch"})]
        NAMED = SLO(service="rpc", name="availability", objective=99.9, description="Calls succeed",
                    sli=RatioSLI(errors='calls_failed_total{job="batch"}', total='calls_total{job="batch"}'))
        TIER = SLO(service="web", name="availability", objective=99.9, description="Calls succeed",
                   sli=RatioSLI(errors='calls_failed_total{tier="web"}', total='calls_total{tier="web"}'))
    ''')
    named, tier = project.all(SLO)
    assert input_jobs(project, named) == ("batch",)
    assert input_jobs(project, tier) == ("shop",)
