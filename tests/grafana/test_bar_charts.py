"""A shipped bar chart draws one bar per series over the dashboard's range: its queries are instant (a range
query gives Grafana one bar per step, which reads as "per hour" to no one's benefit, preview55), and a table
answer's single value field, which Grafana's legend names "Value", is not shown as a legend."""

from __future__ import annotations

from generator.model import Dashboard, PanelKind
from generator.model.project import Project


def test_each_shipped_bar_chart_bars_its_series_over_the_range_and_names_no_bare_value(project: Project) -> None:
    bars = [(dashboard.name, panel) for dashboard in project.all(Dashboard) for panel in dashboard.all_panels
            if panel.kind is PanelKind.BARCHART]
    assert [panel.title for _, panel in bars] == ["Top Products"]
    for dashboard, panel in bars:
        assert all(query.instant for query in panel.queries), (dashboard, panel.title)
        tables = [query for query in panel.queries if query.format == "table"]
        assert not (len(tables) == 1 and panel.legend.show), (dashboard, panel.title, "legend reads 'Value'")
