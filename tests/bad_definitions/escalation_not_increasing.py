from generator.model import EscalationLevel, EscalationPolicy

BROKEN = EscalationPolicy(name="bad", levels=(EscalationLevel(after="30m", channels=("email",)), EscalationLevel(after="15m", channels=("email",))))  # expect: strictly increasing
