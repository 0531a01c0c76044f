"""A minimal definitions package written into a test's temporary directory, with the SLOs a test adds."""

from __future__ import annotations

import textwrap
from pathlib import Path

HEADER = '''
from generator.model import AlertingConfig, Metric, MetricType, Severity, Source, Stack
STACK = Stack(name="t", docs_url="https://docs.example.com")
ALERTING = AlertingConfig(severities=(Severity(name="warning", cooldown=300), Severity(name="critical", cooldown=60)))
LATENCY = Metric(name="req_seconds", type=MetricType.HISTOGRAM, source=Source.APPLICATION, help="h",
                 buckets=(0.1, 0.25, 1))
QUEUE = Metric(name="queue_depth", type=MetricType.GAUGE, source=Source.APPLICATION, help="g")
from generator.model import SLO, BoolGaugeSLI, BurnWindow, LatencySLI, RatioSLI, SLOAlerting
'''
FIRST_LINE = HEADER.count("\n") + 1
"""Line of project.py where the test's body starts."""


def write(tmp_path: Path, body: str) -> Path:
    """definitions/ holding HEADER and the body; returns its directory."""
    root = tmp_path / "definitions"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "project.py").write_text(HEADER + textwrap.dedent(body).lstrip("\n"))
    return root
