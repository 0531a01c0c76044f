"""The person paged reads the value that fired, in its unit: each shipped alert's summary, as its firing example
predicts it (the promtool tests under out/prometheus/tests check Prometheus renders the same)."""

import pytest

from generator.derive.examples import expected_alert
from generator.model.project import Project
from generator.targets.prometheus import alert_rule

SUMMARIES = {
    "CpuHigh": "CPU on web-1 at 95.0% (above 90% for 5 minutes)",
    "MemoryHigh": "Memory on db-1 97.0% used (above 95%)",
    "DiskAlmostFull": "/data on db-1 has 3.0% free (less than 5%)",
    "ConversionRateLow": "Conversion rate 2% over 10 minutes (below 5%)",
    "RevenueDrop": "Revenue of the last hour 1.8k, below half of the same hour last week",
    "CapacityExhaustedSoon": "disk on db-1 runs out in 6h 0m 0s (within 24h)",
    "PrometheusRemoteWriteBehind": "prometheus (p:9090): remote write to lts is 10m 0s behind",
    "PrometheusRemoteStorageFailures": "prometheus (p:9090) fails to send 10.0% of samples to lts",
    "TraceCoverageLow": "Only 50% of /api/checkout requests traced (target 80%)",
    "CheckoutAvailabilityBudgetBurn1h":
        "checkout availability SLO: error budget burning 14.4x too fast over 1h and 5m (1.8% of events bad over 1h)",
}


def _summaries(project: Project, name: str) -> list[str]:
    alert = project.alerts[name]
    annotations = alert_rule(project, alert)["annotations"]
    return [expected_alert(project, alert, example, annotations)["exp_annotations"]["summary"]
            for example in alert.examples if example.fires]


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_a_summary_shows_the_value_that_fired_in_its_unit(project: Project, name: str) -> None:
    assert _summaries(project, name)[0] == SUMMARIES[name]


def test_a_remote_write_failure_names_the_component_that_fails_to_send(project: Project) -> None:
    """Tempo's metrics-generator exports Prometheus' remote-write metrics under the same names."""
    assert _summaries(project, "PrometheusRemoteStorageFailures") == [
        "prometheus (p:9090) fails to send 10.0% of samples to lts",
        "tempo (tempo:3200) fails to send 100.0% of samples to r"]
