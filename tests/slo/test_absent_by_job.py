"""A dead job's SLIAbsent pages are one group: each carries sli="absent" and the one job its inputs come from, and
the routes it reaches group such alerts by job and sli (inheriting their receiver)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.model.project import Project
from generator.targets.alertmanager import routes
from tests.slo.test_target_down import ONE_SOURCE_TWO_JOBS, project_of

GROUPED = {"matchers": ['sli="absent"', 'job=~".+"'], "group_by": ["job", "sli", "platform"]}
"""The child route grouping absent pages: by job and sli, and the stack's external label (two stacks, two pages)."""


def _severity_route(project: Project, severity: str) -> dict[str, Any]:
    return next(route for route in routes(project) if route["matchers"] == [f'severity="{severity}"'])


def test_the_shipped_absent_pages_name_their_job_unless_they_read_up(project: Project) -> None:
    labels = {name: project.alerts[name].labels for name in (
        "CheckoutAvailabilitySLIAbsent", "ApiLatencySLIAbsent", "MetricsPipelineScrapesSLIAbsent")}
    for name in ("CheckoutAvailabilitySLIAbsent", "ApiLatencySLIAbsent"):
        assert {key: labels[name][key] for key in ("job", "sli")} == {"job": "api", "sli": "absent"}, name
    assert labels["MetricsPipelineScrapesSLIAbsent"]["sli"] == "absent"
    assert "job" not in labels["MetricsPipelineScrapesSLIAbsent"]  # up stays (at 0) for a dead target


def test_the_routes_an_absent_page_reaches_group_it_by_job_at_every_level(project: Project) -> None:
    critical = _severity_route(project, "critical")
    assert critical["routes"] == [GROUPED] and "receiver" not in critical["routes"][0]  # the parent's receiver
    levels = [route for route in routes(project) if 'escalation_policy="default"' in route["matchers"]
              and not any(matcher.startswith("alertname=") for matcher in route["matchers"])]
    assert levels and all(route["routes"] == [{**GROUPED, "group_by": ["job", "sli", "platform", "escalation_level"]}]
                          for route in levels)
    assert "routes" not in _severity_route(project, "warning")  # no absent page is a warning


def test_inputs_of_several_jobs_page_on_their_own(tmp_path: Path) -> None:
    project = project_of(tmp_path, ONE_SOURCE_TWO_JOBS)
    absent = project.alerts["RpcAvailabilitySLIAbsent"]
    assert absent.labels["sli"] == "absent" and "job" not in absent.labels  # max() cannot say which job's vanished
    assert all("routes" not in route for route in routes(project))


def test_inputs_of_one_job_are_grouped(tmp_path: Path) -> None:
    project = project_of(tmp_path, '''
        JOBS = [ScrapeJob(name="shop", source=Source.APPLICATION, targets=("shop:80",))]
        RPC = SLO(service="rpc", name="availability", objective=99.9, description="Calls succeed",
                  sli=RatioSLI(errors="calls_failed_total", total="calls_total"))
    ''')
    absent = project.alerts["RpcAvailabilitySLIAbsent"]
    assert absent.labels["job"] == "shop"
    assert _severity_route(project, absent.severity)["routes"] == [{**GROUPED, "group_by": ["job", "sli"]}]  # no
    # external labels: one stack
