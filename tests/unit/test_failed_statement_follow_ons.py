"""A definition whose statement failed is reported once: what reads it is not called undefined as well."""

from pathlib import Path

from generator.build import compile_definitions
from tests.checks.test_cases import project_with


def test_a_histogram_whose_metric_failed_is_not_undefined_where_its_buckets_are_read(tmp_path: Path) -> None:
    """`labels=("service")` (a string, no comma) fails the Metric; the rule reading its _bucket series is not an
    error of its own, which once sent the user looking for a typo in a name spelt right."""
    definitions = project_with(tmp_path, {"case.py": '''
from generator.model import Metric, MetricType, RecordingRule, Source

latency = Metric(name="http_request_duration_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION,
                 unit="seconds", help="Time to serve a request.", labels=("service"), buckets=(0.1, 1))
p99 = RecordingRule(name="service:http_latency:p99_5m", unit="seconds", expr="histogram_quantile(0.99, "
                    "sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))")
'''})
    errors = [f"{Path(p.location.file).name}:{p.location.line}: {p.message} [{p.code}]"
              for p in compile_definitions(definitions).report.errors]
    assert errors == ["case.py:5: Metric: labels: Input should be a valid tuple, not the string 'service': a tuple of "
                      "one needs a comma, ('service',) [LD002]"]
