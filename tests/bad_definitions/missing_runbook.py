from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**{k: v for k, v in VALID.items() if k != "runbook"})  # expect: runbook: Field required
