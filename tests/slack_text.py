"""Reading Slack's message text as Slack does: the links obsgen writes (<URL|label>), and what is left, which must
hold &, < and > only as &amp;, &lt; and &gt; (api.slack.com/reference/surfaces/formatting, "Escaping text")."""

from __future__ import annotations

import re

from generator.live.client import slack_shown

LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
"""A link as obsgen writes it in Slack's text: <URL|label>."""
ENTITY = re.compile(r"&(amp|lt|gt);")


def links(text: str) -> dict[str, str]:
    """The URL of each link, by its label."""
    return {label: url for url, label in LINK.findall(text)}


def shown(text: str) -> str:
    """What Slack shows of the text: each link its label, each entity its character."""
    return slack_shown(LINK.sub(lambda link: link[2], text))


def assert_escaped(text: str) -> None:
    """No <, > or & outside obsgen's links but the three entities: nothing Slack would read as a mention or a link."""
    left = LINK.sub(lambda link: link[2], text)
    assert "<" not in left and ">" not in left, f"a raw < or > outside obsgen's links: {left!r}"
    assert "&" not in ENTITY.sub("", left), f"a raw & outside an entity: {left!r}"
