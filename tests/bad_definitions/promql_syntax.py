from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"expr": "rate(node_load1[5m] > 4"})  # expect: invalid PromQL
