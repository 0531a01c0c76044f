from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"summary": "load {{ $value | humanize }}"})  # expect: cannot be predicted
