"""A log stream's labels reach Loki only where obsgen writes the collector that sets them.

The collector gives a tailed file's lines its stream's labels in the file's receiver, and the logs a service
sends over OTLP the labels of its one OTLP-only stream (a stream without `paths`), matched by service.name. Two
OTLP-only streams of one service cannot be told apart there: the collector would give both the labels of one.
Without a TracingPolicy no collector configuration is written at all, so nothing in out/ sets the labels that
Loki's retention selectors and LogQL rules select on.

Fix: one OTLP-only stream per service (give the other `paths`, or merge the two), and declare a TracingPolicy
for a project whose streams carry labels (or set the labels in the shipper you run instead).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model.logs import LogStream
from generator.model.tracing import TracingPolicy

CODE = "MP013"
NAME = "log-stream-labels"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    streams = context.project.all(LogStream)
    otlp_only: dict[str, LogStream] = {}
    for stream in streams:
        if stream.paths:
            continue
        first = otlp_only.setdefault(stream.service, stream)
        if first is not stream:
            yield Finding(stream, f"log stream {stream.name}: a second OTLP-only stream of service {stream.service} "
                                  f"(the first, {first.name}, is at {first.location}); the collector cannot tell "
                                  "their logs apart and gives both one label set", (), (first.location,))
    if context.project.all(TracingPolicy):
        return
    for stream in streams:
        if stream.labels:
            yield Finding(stream, f"log stream {stream.name} declares labels {', '.join(sorted(stream.labels))} but "
                                  "the project declares no TracingPolicy: no collector configuration is written, so "
                                  "nothing in out/ gives its logs these labels", ("labels",))
