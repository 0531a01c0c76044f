from generator.model import Alert
from ._alert import VALID

FIRST = Alert(**VALID)
SECOND = Alert(**VALID)  # expect: duplicate alert name 'LoadHigh'
