from generator.model import Alert, Metric, MetricType, Source
from ._alert import VALID

gauge = Metric(name="temperature_celsius", type=MetricType.GAUGE, source=Source.APPLICATION, help="Temperature.")
fields = {k: v for k, v in VALID.items() if k != "expr"}
BROKEN = Alert(**fields | {"metric": gauge, "threshold": "90"})  # expect: threshold
