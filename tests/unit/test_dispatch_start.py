"""--dispatch.start-delay covers the longest wait for a re-send of the rulers that send the project's alerts."""

from __future__ import annotations

from dataclasses import replace

from generator.derive.dispatch_start import resend_period, start_delay
from generator.model import LogAlert
from generator.model.project import Project


def test_the_delay_follows_the_slowest_ruler_that_sends_alerts(project: Project) -> None:
    assert [resend_period(every) for every in (15, 60, 7, 120)] == [75, 120, 63, 120]
    without_logs = replace(project, objects=tuple(d for d in project.objects if not isinstance(d, LogAlert)))
    assert start_delay(without_logs) == "1m15s"  # Prometheus alone, evaluating every 15s
