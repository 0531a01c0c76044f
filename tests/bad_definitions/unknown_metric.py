from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"expr": "node_load15 > 4"})  # expect: no Metric or RecordingRule defines
