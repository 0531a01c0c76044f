from generator.model import Alert
from ._alert import VALID

BROKEN = Alert(**VALID | {"name": "cpu_high"})  # expect: must be CamelCase, e.g. 'CpuHigh'
