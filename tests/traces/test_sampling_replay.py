""">80% of critical requests traced, measured: the generated tail_sampling replayed over the declared traffic.

The static check (test_coverage) proves a policy names every critical route; these replay the generated
processor's timing too (decision_wait, num_traces, decision caches), which it cannot see.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator.checks.trace_coverage import CoverageError, coverage
from generator.model import Endpoint, Service, TracingPolicy
from generator.model.project import Project
from generator.targets import otelcol
from tests.traces.conftest import read_yaml
from tests.traces.sampling_replay import Traffic, replay

SHORT = Traffic(seconds=20)


def _config(built: Path) -> dict[str, Any]:
    config: dict[str, Any] = read_yaml(built / "otelcol/config.yaml")
    return config


def _sampler(config: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = config["processors"]["tail_sampling"]
    return settings


def _without_slow(config: dict[str, Any]) -> dict[str, Any]:
    """The config without its latency policy, which keeps long requests whatever their root span does."""
    changed = copy.deepcopy(config)
    _sampler(changed)["policies"] = [p for p in _sampler(changed)["policies"] if p["type"] != "latency"]
    return changed


def test_the_shipped_sampling_traces_every_critical_request_of_the_declared_traffic(
        built: Path, project: Project) -> None:
    """Every request up to its timeout, the first span of each ending as it starts, errors only in child spans."""
    policy = project.all(TracingPolicy)[0]
    report = replay(project.all(Service), _config(built), policy.coverage_target)
    assert report.ok and report.share == 1.0 and report.whole_share == 1.0, report.summary()
    assert [r.route for r in report.routes] == ["/api/checkout", "/api/orders", "/api/payments"]
    assert all(r.requests == r.root_exported == r.whole > 0 for r in report.routes)
    assert report.traces > 12000 and report.dropped_too_early == 0
    assert report.errors > 50 and report.errors_kept_whole == report.errors  # on every route, found in a child


def test_a_decision_wait_shorter_than_the_requests_loses_critical_traces_the_static_check_passes(
        built: Path, project: Project) -> None:
    config = _without_slow(_config(built))
    _sampler(config)["decision_wait"] = "5s"
    policy = project.all(TracingPolicy)[0]
    assert coverage(policy, project.all(Service), config).ok  # the policies still name every critical route
    report = replay(project.all(Service), config, policy.coverage_target, SHORT)
    assert not report.ok and report.share < 0.8, report.summary()
    assert report.dropped_too_early == 0  # lost to the late root spans alone


def test_a_buffer_too_small_for_the_decision_wait_drops_traces_before_their_decision(
        built: Path, project: Project) -> None:
    config = _config(built)
    _sampler(config)["num_traces"] = 3000  # 417 traces/s for 20-21 s need 8,800
    report = replay(project.all(Service), config, 0.8, SHORT)
    assert report.dropped_too_early > report.traces // 2 and not report.ok, report.summary()


def test_a_root_span_arriving_after_the_decision_is_dropped_by_the_cached_decision(
        built: Path, project: Project) -> None:
    """Requests running 20 s past their timeout: their root span comes after the decision taken without it. With
    the generated non-sampled cache it follows that decision (dropped); without one it is decided afresh, alone."""
    config = _without_slow(_config(built))
    overrun = Traffic(seconds=20, overrun_share=0.2, overrun_s=20)
    cached = replay(project.all(Service), config, 0.8, overrun)
    assert 0.75 < cached.share < 0.9 and cached.whole_share == cached.share, cached.summary()
    del _sampler(config)["decision_cache"]
    uncached = replay(project.all(Service), config, 0.8, overrun)
    assert uncached.share == 1.0 and uncached.whole_share < 0.9, uncached.summary()


def test_a_policy_the_replay_does_not_know_is_an_error_not_a_guess(built: Path, project: Project) -> None:
    config = _config(built)
    _sampler(config)["policies"].insert(0, {"name": "budget", "type": "rate_limiting",
                                            "rate_limiting": {"spans_per_second": 100}})
    with pytest.raises(CoverageError, match="'budget' of type 'rate_limiting' is not replayed"):
        replay(project.all(Service), config, 0.8, Traffic(seconds=1))


def test_the_generated_decision_wait_follows_a_slower_critical_route(built: Path, project: Project) -> None:
    """A critical route of 60-second requests: the generator waits 65 s for its root spans, and the replay keeps them
    all; the shipped 20-second wait (without the latency policy, which would rescue long requests) loses most."""
    [api] = [s for s in project.all(Service) if s.name == "api"]
    exports = Endpoint(route="/api/exports", requests_per_second=2, critical=True, spans_per_request=30,
                       timeout="60s")
    slower = replace(project, objects=tuple(
        obj.model_copy(update={"endpoints": (*api.endpoints, exports)}) if obj is api else obj
        for obj in project.objects))
    policy = slower.all(TracingPolicy)[0]
    generated = otelcol.config(slower, policy)
    assert _sampler(generated)["decision_wait"] == "1m5s"
    traffic = Traffic(seconds=10)
    report = replay(slower.all(Service), generated, policy.coverage_target, traffic)
    assert report.share == report.whole_share == 1.0 and report.dropped_too_early == 0, report.summary()
    shipped = replay(slower.all(Service), _without_slow(_config(built)), policy.coverage_target, traffic)
    [lost] = [r for r in shipped.routes if r.root_exported < r.requests]
    assert lost.route == "/api/exports" and lost.root_exported < lost.requests / 2, shipped.summary()
