from generator.model import Alert

BROKEN = Alert(name="Oops",  # expect: Python syntax error
