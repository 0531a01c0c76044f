from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"escalation": "urgent"})  # expect: unknown escalation policy 'urgent'
