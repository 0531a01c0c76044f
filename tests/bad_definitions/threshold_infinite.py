from generator.model import Alert, Metric, MetricType, Source

from ._alert import VALID

gauge = Metric(name="temperature_celsius", type=MetricType.GAUGE, source=Source.APPLICATION, help="Temperature.")
fields = {k: v for k, v in VALID.items() if k != "expr"}
TOO_BIG = Alert(**fields | {"name": "TooBig", "metric": gauge, "threshold": 1e309})  # expect: finite number
