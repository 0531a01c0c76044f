"""A notification links to a machine nobody who reads it can reach: a loopback or example host.

Every notification carries links built from the Stack's URLs: `grafana_url` (the dashboard panel, the email's
footer, a log alert's source link), `docs_url` (the runbook), `alertmanager_url` (the silence link and the ack
command, through Alertmanager's external URL) and `prometheus_url` (each alert's source). With channels that reach
people (email, Slack, PagerDuty, a webhook that is not a local sink nor a dead man's switch only the heartbeat
alerts ping), a link to `localhost` opens the reader's own phone or laptop, and one to `example.com` (or any
RFC 2606 / RFC 6761 name: `.example`, `.invalid`, `.test`, `.localhost`) opens nothing: the on-call person has to
find the page while the escalation climbs.

    Stack(name="shop", grafana_url="http://localhost:3000", docs_url="https://git.example.com/ops/docs")

Fix: the address people reach each server at, e.g. `grafana_url="https://grafana.shop.io"`. For a project
only ever run by `obsgen up` (whose channels post to local sinks), loopback URLs are right and nothing is said.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.listing import first_few
from generator.model import Alert, Stack, WebhookChannel
from generator.model.notify import Channel
from generator.model.project import Project

CODE = "NT005"
NAME = "placeholder-link"
LEVEL = Level.WARNING

LINKS = {
    "grafana_url": ("every dashboard link, a log alert's source link (Explore) and the email footer", "Grafana"),
    "docs_url": ("every runbook link", "the published out/docs"),
    "alertmanager_url": ("the silence link and the ack command", "Alertmanager"),
    "prometheus_url": ("each alert's source link", "Prometheus"),
}
"""The Stack's URLs notifications carry: what each becomes in them, and what it should be the address of."""
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
"""RFC 2606's second-level names reserved for documentation."""
RESERVED_TLDS = ("example", "invalid", "test", "localhost")
"""RFC 2606 and RFC 6761's top-level names that never resolve to a real service (`.localhost` is loopback)."""


def placeholder(url: str) -> str:
    """Why a URL's host is unreachable for whoever reads a notification ('' when it is a real host)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return "a loopback address" if address.is_loopback or address.is_unspecified else ""
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback host"
    if any(host == domain or host.endswith(f".{domain}") for domain in EXAMPLE_DOMAINS) \
            or host.rsplit(".", 1)[-1] in RESERVED_TLDS:
        return "an example host (RFC 2606)"
    return "" if host else "not a URL with a host"


def local_sink(channel: Channel) -> bool:
    """Whether a channel posts to this machine only (a webhook to a loopback host): nobody else reads it."""
    return isinstance(channel, WebhookChannel) and placeholder(channel.url).startswith("a loopback")


def _channels(project: Project, alert: Alert) -> tuple[str, ...]:
    """The channels an alert notifies; its own alone when its severity is undeclared (XR004 says so, and this
    check still runs on that project)."""
    return project.alert_channels(alert) if project.alerting.severity(alert.severity) else alert.channels


def dead_mans_switches(project: Project) -> set[str]:
    """Channels only heartbeat alerts notify (the Watchdog's dead man's switch): a service counting pings, which
    follows no link; a channel any other alert, severity or escalation level notifies is read by people."""
    alerts = project.alerts.values()
    pinged = {name for alert in alerts if alert.heartbeat is not None for name in _channels(project, alert)}
    read = {name for alert in alerts if alert.heartbeat is None for name in _channels(project, alert)}
    read |= {name for severity in project.alerting.severities for name in severity.channels}
    read |= {name for policy in project.escalation_policies.values() for level in policy.levels
             for name in level.channels}
    return pinged - read


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    machines = dead_mans_switches(project)
    readers = sorted(name for name, channel in project.channels.items()
                     if not local_sink(channel) and name not in machines)
    stacks = project.all(Stack)
    if not readers or not stacks:
        return
    stack = stacks[0]
    shown = first_few(readers, 3)
    for field, (use, server) in LINKS.items():
        url = getattr(stack, field)
        why = placeholder(url)
        if why:
            default = "" if field in stack.model_fields_set else " (the default)"
            yield Finding(stack, f"Stack {field} {url!r}{default} is {why}, and channels {shown} reach people: "
                                 f"{use} in their notifications would open nothing a reader can reach; set the "
                                 f"address people reach {server} at", (field,))
