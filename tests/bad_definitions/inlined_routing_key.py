from generator.model import PagerDutyChannel

BROKEN = PagerDutyChannel(name="pd", routing_key="0123456789abcdef0123456789abcdef")  # expect: inlined secret in 'routing_key'
