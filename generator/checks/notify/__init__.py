"""Checks of who is told, and how: escalation that matches a severity's intent, values a receiver can send, one
incoming webhook per Slack channel."""
