"""ALERTING_CONFIG and ESCALATION_POLICIES of the plan: channels, severities with cooldowns, escalation."""

from generator.model import (
    AlertingConfig,
    EmailChannel,
    EscalationLevel,
    EscalationPolicy,
    PagerDutyChannel,
    Severity,
    SlackChannel,
    Smtp,
    WebhookChannel,
)

# outside /etc/alertmanager, which compose mounts read-only from out/alertmanager (a mount inside it could
# not be created at the container's start)
SECRETS = "/etc/alertmanager-secrets"

# --- ALERTING_CONFIG["channels"] ---------------------------------------------------------------
CHANNELS = [
    EmailChannel(name="email", to=("oncall@company.com",)),
    # one incoming webhook per Slack channel: a Slack app's webhook posts only to the channel it was made for
    SlackChannel(name="slack", channels=("#alerts", "#ops"), api_url_file=f"{SECRETS}/slack/{{channel}}.url"),
    # the plan's webhook endpoint is PagerDuty's: sent through its Events API v2, with this routing key
    WebhookChannel(name="webhook", url="https://events.pagerduty.com/generic/2010-04-15/create_event.json",
                   credentials_file=f"{SECRETS}/pagerduty_token"),
    # ESCALATION_POLICIES["level_N"]["actions"]
    EmailChannel(name="email_team_lead", to=("team-lead@company.com",)),
    EmailChannel(name="email_manager", to=("manager@company.com",)),
    SlackChannel(name="slack_urgent", channels=("#ops-urgent",), api_url_file=f"{SECRETS}/slack/{{channel}}.url"),
    EmailChannel(name="email_director", to=("director@company.com",)),
    PagerDutyChannel(name="webhook_pagerduty", routing_key_file=f"{SECRETS}/pagerduty_routing_key"),
    # Dead man's switch: receives the always-firing Watchdog; silence from it means the pipeline is down.
    WebhookChannel(name="deadman", url="https://deadman.company.com/ping/obsgen", send_resolved=False),
]

# --- ALERTING_CONFIG["rules"]: severity_levels, escalation (channels per severity), cooldown -------
# The plan's escalation policies climb unresolved incidents: critical and emergency alerts; a warning stays
# an email. PagerDuty has no "emergency": it is sent as critical.
ALERTING = AlertingConfig(
    smtp=Smtp(smarthost="smtp.company.com:587", sender="alertmanager@company.com",
              auth_username="alertmanager", auth_password_file=f"{SECRETS}/smtp_password"),
    severities=(
        Severity(name="info", channels=(), cooldown="1h"),
        Severity(name="warning", channels=("email",), cooldown=300),
        Severity(name="critical", channels=("email", "slack"), cooldown=60, escalation="default"),
        Severity(name="emergency", channels=("email", "slack", "webhook"), cooldown=0, repeat_interval="1h",
                 escalation="default", pagerduty_severity="critical"),
    ),
    # what tells one problem from another: a target (service, instance, job; a log alert's service_name, Loki's
    # label for it), an integration, a query, a forecast
    group_by=("alertname", "service", "service_name", "instance", "job", "integration", "query", "database",
              "forecast"),
)

# --- ESCALATION_POLICIES: an unresolved alert climbs these levels -------------------------------
ESCALATION = EscalationPolicy(
    name="default",
    levels=(
        EscalationLevel(after="15m", channels=("email_team_lead",)),
        EscalationLevel(after="30m", channels=("email_manager", "slack_urgent")),
        EscalationLevel(after="60m", channels=("email_director", "webhook_pagerduty")),
    ),
)
