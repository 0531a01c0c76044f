"""Tempo (Jaeger) down on the real Alertmanager with the shipped routes and inhibit rules: TargetDown is told, the
collector failing to export to it is the same outage and waits, and is told once its TargetDown resolves.
"""

from __future__ import annotations

import pytest

from tests.e2e.inhibition import Sink, assert_muted_until_resolved, assert_not_muted_by, post, until

PLATFORM = {"platform": "ecommerce-rag"}
TEMPO_DOWN = {"alertname": "TargetDown", "job": "tempo", "severity": "warning", **PLATFORM}
EXPORT_TO_TEMPO = {"alertname": "OtelCollectorExportFailing", "job": "otel-collector",
                   "instance": "otel-collector:8888", "exporter": "otlp_grpc/tempo", "severity": "warning", **PLATFORM}
EXPORT_TO_JAEGER = {**EXPORT_TO_TEMPO, "exporter": "otlp_grpc/jaeger"}
JAEGER_DOWN = {**TEMPO_DOWN, "job": "jaeger"}


@pytest.mark.parametrize(("down", "muted", "other"), [(TEMPO_DOWN, EXPORT_TO_TEMPO, EXPORT_TO_JAEGER),
                                                     (JAEGER_DOWN, EXPORT_TO_JAEGER, EXPORT_TO_TEMPO)],
                         ids=["tempo", "jaeger"])
def test_a_backend_down_mutes_the_export_to_it_until_it_resolves(
        inhibiting_alertmanager: tuple[str, Sink], down: dict[str, str], muted: dict[str, str],
        other: dict[str, str]) -> None:
    url, sink = inhibiting_alertmanager
    posted = post(url, down, muted, other)
    assert until(lambda: sink.seen(down) and sink.seen(other))  # the other backend's is another outage
    assert_muted_until_resolved(url, sink, down, muted, posted)  # the backend back, the collector still failing: news


@pytest.mark.parametrize("cause", [{**TEMPO_DOWN, "job": "node"}, {**TEMPO_DOWN, "platform": "another-stack"}],
                         ids=["another job down", "another stack's tempo down"])
def test_only_the_same_stacks_tempo_down_mutes_it(inhibiting_alertmanager: tuple[str, Sink],
                                                  cause: dict[str, str]) -> None:
    assert_not_muted_by(*inhibiting_alertmanager, cause, EXPORT_TO_TEMPO)
