from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"for": "5 minutes"})  # expect: is not a Prometheus duration
