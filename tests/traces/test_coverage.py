"""Coverage check: every critical endpoint kept whole by the generated sampling, share over the target."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from generator.checks.trace_coverage import CoverageError, coverage
from generator.cli.app import app
from generator.model import Service, TracingPolicy
from generator.model.project import Project
from generator.model.tracing import Endpoint
from tests.traces.conftest import DEFINITIONS, read_yaml
from tests.unit.test_go_regex_linear import sampling_config


def _sampling(config: dict[str, Any]) -> list[dict[str, Any]]:
    return list(config["processors"]["tail_sampling"]["policies"])


def test_the_shipped_config_keeps_every_critical_request(built: Path, project: Project) -> None:
    report = coverage(project.all(TracingPolicy)[0], project.all(Service), read_yaml(built / "otelcol/config.yaml"))
    assert report.ok and report.share == 1.0 and len(report.endpoints) == 3
    assert {e.policy for e in report.endpoints} == {"critical-endpoints"}


def test_removing_an_endpoint_from_the_keep_policy_is_caught_and_lowers_the_share(
        built: Path, project: Project) -> None:
    config = read_yaml(built / "otelcol/config.yaml")
    _sampling(config)[0]["string_attribute"]["values"].remove("/api/checkout")
    report = coverage(project.all(TracingPolicy)[0], project.all(Service), config)
    assert not report.ok
    assert [e.route for e in report.missing] == ["/api/checkout"]
    checkout = report.missing[0]
    assert abs(checkout.kept - (1 - 0.9 * 0.98)) < 1e-9  # 10% default share or its 2% errors
    assert abs(report.share - (12 * checkout.kept + 10 + 15) / 37) < 1e-9


def test_obsgen_check_prints_the_share_and_fails_without_the_100_percent_policy(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    runner = CliRunner()
    passed = runner.invoke(app, ["check", str(out), "--definitions", str(DEFINITIONS)])
    assert ("ok   trace coverage: sampling policies keep 100.0% of the critical requests reaching the collector "
            "(target over 80%)") in passed.output
    assert "ok   collector memory: tail sampling:" in passed.output
    config_file = out / "otelcol/config.yaml"
    config = read_yaml(config_file)
    _sampling(config)[0]["string_attribute"]["values"] = ["/api/orders"]
    config_file.write_text(yaml.safe_dump(config))
    failed = runner.invoke(app, ["check", str(out), "--definitions", str(DEFINITIONS)])
    assert failed.exit_code == 1
    assert "FAIL trace coverage" in failed.output
    assert "/api/checkout 12/s: 11.8% traced, NOT kept whole by any policy" in failed.output


def _kept(pattern: str, route: str) -> float:
    """The share of a critical route's traces a collector whose one policy is that regex keeps."""
    services = [Service(name="shop", endpoints=(Endpoint(route=route, requests_per_second=1, critical=True),))]
    return coverage(TracingPolicy(default_ratio=0.0), services, sampling_config(pattern)).endpoints[0].kept


@pytest.mark.parametrize(("pattern", "route", "kept"), [
    (r"^/api/\pL+$", "/api/checkout", 1.0),  # \pL: Go's; Python's re refused it (bad escape)
    (r"^/api/checkout\z", "/api/checkout", 1.0),  # \z: Go's end of text; Python's re refused it (3.11)
    ("checkout", "/api/checkout/{id}", 1.0),  # MatchString: anywhere in the route, not anchored
    (r"^/api/\d$", "/api/\u0663", 0.0),  # Go's \d is ASCII; Python's re took the Arabic-Indic three
    ("^/api/x{,2}$", "/api/x{,2}", 1.0),  # Go reads {,2} as text; Python's re as a repeat
])
def test_a_regex_policy_is_read_as_the_collector_reads_it(pattern: str, route: str, kept: float) -> None:
    """tailsamplingprocessor's string_tag_filter compiles each value with Go's regexp and keeps a trace whose route it
    matches anywhere (regexp.MatchString)."""
    assert _kept(pattern, route) == kept


def test_a_regex_policy_go_refuses_fails_the_check() -> None:
    """A look-ahead is Python's, not Go's: the collector's regexp.MustCompile panics, it does not start."""
    with pytest.raises(CoverageError, match=r"'\^/api/\(\?!health\)' does not compile.*invalid or unsupported Perl"):
        _kept("^/api/(?!health)", "/api/checkout")
