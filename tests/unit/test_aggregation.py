from generator.derive.aggregation import expand, group_interval
from generator.model import Aggregation, AggregationPolicy, Metric, MetricType, Source

LATENCY = Metric(name="req_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION, help="Latency.")
QUEUE = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="Depth.")


def test_levels_times_functions_become_level_metric_operation_rules() -> None:
    policy = AggregationPolicy(name="p", metrics=(QUEUE,), by=("job",), windows=("1m", "1h"),
                               functions=(Aggregation.AVG, Aggregation.P95))
    rules, notes = expand(policy)
    assert [r.name for r in rules] == ["job:queue_depth:avg_1m", "job:queue_depth:p95_1m",
                                       "job:queue_depth:avg_1h", "job:queue_depth:p95_1h"]
    assert rules[1].expr == "quantile by (job) (0.95, quantile_over_time(0.95, queue_depth[1m]))"
    assert notes == []


def test_histograms_use_buckets_and_say_min_max_cannot_be_computed() -> None:
    policy = AggregationPolicy(name="p", metrics=(LATENCY,), by=("service",), windows=("5m",),
                               functions=(Aggregation.MAX, Aggregation.P99, Aggregation.AVG))
    rules, notes = expand(policy)
    assert {r.name: r.expr for r in rules} == {
        "service:req_seconds:p99_5m": "histogram_quantile(0.99, sum by (service, le) (rate(req_seconds_bucket[5m])))",
        "service:req_seconds:avg_5m": "sum by (service) (rate(req_seconds_sum[5m])) / sum by (service) "
                                      "(rate(req_seconds_count[5m]))",
    }
    assert "max_5m" in notes[0]


def test_long_windows_are_evaluated_less_often() -> None:
    assert [group_interval(w) for w in ("1m", "5m", "15m", "1h", "1d")] == ["", "", "1m", "1m", "5m"]
