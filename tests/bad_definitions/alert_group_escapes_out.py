from generator.model import Alert

from ._alert import VALID

ESCAPING = Alert(**{**VALID, "name": "Escaping", "group": "../../../../x"})  # expect: names a file under out/
