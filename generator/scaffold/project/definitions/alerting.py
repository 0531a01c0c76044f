"""Who is told: one channel, the four severities and how often each may notify, one escalation policy."""

from generator.model import AlertingConfig, EscalationLevel, EscalationPolicy, Severity, WebhookChannel

TEAM = WebhookChannel(name="team", url="http://localhost:5001/alerts")  # your chat or paging webhook

ALERTING = AlertingConfig(
    severities=(
        Severity(name="info", channels=(), cooldown="1h"),
        Severity(name="warning", channels=("team",), cooldown="5m"),
        Severity(name="critical", channels=("team",), cooldown="1m"),
        Severity(name="emergency", channels=("team",), cooldown=0, repeat_interval="1h"),
    ),
)

ESCALATION = EscalationPolicy(name="default", levels=(EscalationLevel(after="30m", channels=("team",)),))
