from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"summary": ""})  # expect: summary: String should have at least 1 character
