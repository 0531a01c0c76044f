from generator.model import Alert

from ._alert import VALID

NOT_A_NUMBER = Alert(**{**VALID, "name": "NotANumber", "threshold": float("nan")})  # expect: finite number
