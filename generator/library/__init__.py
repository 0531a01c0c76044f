"""Ready-made definitions that projects include: meta-monitoring of the pipeline itself."""

from __future__ import annotations

from collections.abc import Iterable

from generator.model import Alert


def on_dashboard(alerts: Iterable[Alert], dashboard: str) -> tuple[Alert, ...]:
    """The alerts, each opening `dashboard` ("": none): a library's functions take the dashboard a project shows
    their series on."""
    return tuple(alert.model_copy(update={"dashboard": dashboard}) for alert in alerts)
