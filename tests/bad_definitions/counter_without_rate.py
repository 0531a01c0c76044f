from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"expr": "requests_total > 100"})  # expect: without rate()/increase()
