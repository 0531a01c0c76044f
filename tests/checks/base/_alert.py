"""A valid alert's fields, so a case changes exactly one thing."""

from generator.model import Example

VALID = {
    "name": "LoadHigh",
    "expr": "node_load1 > 4",
    "severity": "warning",
    "summary": "Load high",
    "description": "Load above 4.",
    "runbook": "Find the busy process.",
    "examples": (Example(name="fires", series={'node_load1{instance="a"}': "5x10"}, at="5m", fires=True,
                         labels={"instance": "a"}),),
}
