from generator.model import Alert, Example
from ._alert import VALID

example = Example(name="typo", series={'node_lod1{instance="a"}': "5x10"}, at="5m", fires=True, labels={})
BROKEN = Alert(**VALID | {"examples": (example,)})  # expect: reads 'node_lod1'
