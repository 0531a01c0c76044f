"""Two Slack channels share one incoming-webhook file.

A Slack app's incoming webhook posts to the one channel it was created for and ignores the `channel` field, so
two Slack channels (of one SlackChannel, or of two) reading the same webhook URL both post to that one channel:
every alert arrives there twice, and the other channel hears nothing.

    SlackChannel(name="slack", channels=("#alerts", "#ops"), api_url_file="/etc/alertmanager/secrets/slack_api_url")

Fix: one webhook per Slack channel, `{channel}` in the file name standing for the channel's name:
`api_url_file="/etc/alertmanager/secrets/slack/{channel}.url"` reads slack/alerts.url and slack/ops.url.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import SlackChannel

CODE = "NT003"
NAME = "shared-slack-webhook"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    users: dict[str, list[tuple[SlackChannel, str]]] = defaultdict(list)
    for channel in context.project.all(SlackChannel):
        for slack_channel, path in channel.webhook_files().items():
            users[path].append((channel, slack_channel))
    for path, sharing in users.items():
        if len({slack_channel for _, slack_channel in sharing}) < 2:
            continue
        first = sharing[0][0]
        names = ", ".join(f"{slack_channel} ({channel.name})" for channel, slack_channel in sharing)
        yield Finding(first, f"Slack channels {names} share the incoming webhook in {path}: it posts only to the "
                             "channel it was made for, so they all post there; give each its own file "
                             "({channel} in api_url_file)", ("api_url_file",),
                      tuple(dict.fromkeys(channel.location for channel, _ in sharing[1:] if channel is not first)))
