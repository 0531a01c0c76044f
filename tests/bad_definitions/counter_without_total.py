from generator.model import Metric, MetricType, Source

BROKEN = Metric(name="orders", type=MetricType.COUNTER, source=Source.APPLICATION, help="Orders.")  # expect: must end in _total
