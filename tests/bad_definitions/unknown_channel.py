from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"channels": ("pager",)})  # expect: unknown channel 'pager'
