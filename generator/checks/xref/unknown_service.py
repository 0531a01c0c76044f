"""Log streams belong to a declared service.

A LogStream's `service` label joins its logs to the service's traces and dashboards; an unknown service would
break that link.

Fix: declare the Service, or correct the name.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding, unknown_names
from generator.core.errors import Level
from generator.model import LogStream, Service

CODE = "XR009"
NAME = "unknown-service"
LEVEL = Level.ERROR
SWITCHABLE = False  # the targets rely on it


def check(context: Context) -> Iterator[Finding]:
    uses = [(stream, ("service",), stream.service, f"log stream {stream.name}: ")
            for stream in context.project.all(LogStream)]
    return unknown_names(context, Service, "service", context.project.by_name(Service), uses)
