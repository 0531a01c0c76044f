from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"severity": "critcal"})  # expect: unknown severity 'critcal'
