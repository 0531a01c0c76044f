"""A dashboard's themes are mapped onto header links.

Grafana has no per-dashboard theme (it is a user or organisation preference): the themes a dashboard asks for
become header links opening it with `?theme=light` or `?theme=dark`, and "auto" is the user's own preference.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.derive.dashboards import dashboards

CODE = "MP004"
NAME = "dashboard-themes"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    for dashboard in dashboards(context.project):
        if dashboard.themes:
            yield Finding(dashboard, f"dashboard {dashboard.name}: themes {', '.join(dashboard.themes)} have no "
                                     "per-dashboard field in Grafana (the theme is a user or org preference); mapped "
                                     "to header links opening it with ?theme=light / ?theme=dark, and 'auto' is the "
                                     "user's own preference", ("themes",))
