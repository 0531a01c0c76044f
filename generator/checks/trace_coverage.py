"""Static proof that the collector's sampling policies keep every critical request that reaches them.

Reads the generated collector config, finds the tail_sampling processor on the pipeline that exports
to Tempo, and evaluates its policies (a trace is kept when any policy keeps it) against each
critical endpoint's declared traffic and error ratio. Nothing runs: it is what the config says. What it cannot
see (spans refused under memory pressure, traces evicted before their decision, export failures, spans without
http.route) the runtime ratio service_route:critical_traces_kept:ratio_rate10m measures, and TraceCoverageLow
tells when it stays under the target.

A string_attribute policy with enabled_regex_matching reads its values as the collector does (tailsamplingprocessor's
string_tag_filter: regexp.MustCompile, then MatchString): Go regexes, found anywhere in the value unless anchored,
matched here by RE2 (core.go_regex) in time linear in the route; one Go refuses stops the collector at its start, so
the check fails naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.core.go_regex import GoRegex, compile_go
from generator.model.tracing import TEMPO_EXPORTER, Endpoint, Service, TracingPolicy


class CoverageError(ValueError):
    """A collector config whose trace path cannot be followed."""


@dataclass(frozen=True)
class EndpointCoverage:
    """How much of one critical endpoint's traffic ends up in Tempo."""

    service: str
    route: str
    requests_per_second: float
    kept: float
    policy: str

    def __str__(self) -> str:
        how = f"kept whole by policy {self.policy}" if self.kept >= 1.0 else "NOT kept whole by any policy"
        return f"{self.service} {self.route} {self.requests_per_second:g}/s: {self.kept:.1%} traced, {how}"


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every critical endpoint and the traffic-weighted share."""

    endpoints: tuple[EndpointCoverage, ...]
    target: float

    @property
    def share(self) -> float:
        """Share of critical requests traced, weighted by declared traffic."""
        total = sum(e.requests_per_second for e in self.endpoints)
        return sum(e.requests_per_second * e.kept for e in self.endpoints) / total if total else 1.0

    @property
    def missing(self) -> tuple[EndpointCoverage, ...]:
        """Critical endpoints without a 100% keep policy."""
        return tuple(e for e in self.endpoints if e.kept < 1.0)

    @property
    def ok(self) -> bool:
        """Every critical endpoint kept whole, and the share at or above the target."""
        return not self.missing and self.share >= self.target

    def summary(self) -> str:
        """One line: the share against the target."""
        return (f"sampling policies keep {self.share:.1%} of the critical requests reaching the collector (target "
                f"over {self.target:.0%}) across {len(self.endpoints)} critical endpoints")


def policy_regex(pattern: str) -> GoRegex:
    """A string_attribute value as the collector compiles it with enabled_regex_matching (Go's regexp, searched);
    CoverageError, with Go's words, for one the collector's MustCompile would panic on."""
    try:
        return compile_go(pattern)
    except ValueError as error:
        raise CoverageError(f"string_attribute regex {pattern!r} does not compile, the collector would not start: "
                            f"{error}") from None


def _matches(settings: dict[str, Any], value: str) -> bool:
    values = settings.get("values", [])
    if settings.get("enabled_regex_matching"):
        hit = any(policy_regex(str(pattern)).matches(value) for pattern in values)
    else:
        hit = value in values
    return hit != bool(settings.get("invert_match"))


def _keeps(policy: dict[str, Any], endpoint: Endpoint, route_key: str) -> float:
    """Share of the endpoint's traces one policy keeps (errors counted at the endpoint's error ratio)."""
    kind = policy.get("type")
    settings = policy.get(kind, {}) if isinstance(kind, str) else {}
    if kind == "always_sample":
        return 1.0
    if kind == "probabilistic":
        return min(1.0, float(settings.get("sampling_percentage", 0)) / 100)
    if kind == "string_attribute":
        return 1.0 if settings.get("key") == route_key and _matches(settings, endpoint.route) else 0.0
    if kind == "status_code":
        return endpoint.error_ratio if "ERROR" in settings.get("status_codes", []) else 0.0
    if kind == "and":
        share = 1.0
        for sub in settings.get("and_sub_policy", []):
            share *= _keeps(sub, endpoint, route_key)
        return share
    return 0.0  # latency and the rest depend on data the declaration does not give: no credit


def sampler(config: dict[str, Any]) -> dict[str, Any] | None:
    """The tail_sampling processor's settings on the path to Tempo; None when that path does not sample."""
    pipelines = config.get("service", {}).get("pipelines", {})
    to_tempo = [p for p in pipelines.values() if TEMPO_EXPORTER in p.get("exporters", [])]
    if not to_tempo:
        raise CoverageError(f"no pipeline exports to {TEMPO_EXPORTER}: traces never reach Tempo")
    samplers = [name for p in to_tempo for name in p.get("processors", []) if name.split("/")[0] == "tail_sampling"]
    if not samplers:
        return None
    return dict(config["processors"][samplers[0]])


def _tail_sampling(config: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Policies on the path to Tempo; None when that path does not sample."""
    settings = sampler(config)
    return None if settings is None else list(settings.get("policies", []))


def coverage(policy: TracingPolicy, services: list[Service], config: dict[str, Any]) -> CoverageReport:
    """Evaluate the collector config's sampling against every declared critical endpoint."""
    policies = _tail_sampling(config)
    results = []
    for service in services:
        for endpoint in service.endpoints:
            if not endpoint.critical:
                continue
            if policies is None:
                results.append(EndpointCoverage(service.name, endpoint.route, endpoint.requests_per_second,
                                                1.0, "(no sampling)"))
                continue
            shares = [(_keeps(p, endpoint, policy.route_attribute), p.get("name", "?")) for p in policies]
            whole = next((name for share, name in shares if share >= 1.0), "")
            dropped = 1.0
            for share, _ in shares:
                dropped *= 1.0 - share
            results.append(EndpointCoverage(service.name, endpoint.route, endpoint.requests_per_second,
                                            1.0 if whole else 1.0 - dropped, whole))
    return CoverageReport(tuple(results), policy.coverage_target)
