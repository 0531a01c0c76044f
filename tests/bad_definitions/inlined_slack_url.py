from generator.model import SlackChannel

BROKEN = SlackChannel(name="slack", channels=("#ops",), api_url="https://hooks.slack.com/services/T0/B0/X")  # expect: inlined secret in 'api_url'
