from generator.model import Alert, Example
from ._alert import VALID

quiet = Example(name="quiet", series={'node_load1{instance="a"}': "1x10"}, at="5m", fires=False)
BROKEN = Alert(**VALID | {"examples": (quiet,)})  # expect: at least one where the alert fires
