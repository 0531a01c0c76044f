from generator.model import WebhookChannel

BROKEN = WebhookChannel(name="hook", url="https://events.example.com/v1?token=abc123")  # expect: a credential in a URL's query parameter 'token'
