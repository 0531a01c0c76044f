from generator.model import Alert

from ._alert import VALID

BROKEN = Alert(**{**VALID, "name": "Unclosed", "summary": "{{ $labels.instance is down"})  # expect: unclosed action
