"""The application: an alert that pages when it stops answering scrapes, and the dashboard it links to."""

from generator.model import Alert, Dashboard, Example, Panel, Query, Row

APP_DOWN = Alert(
    name="AppDown", expr='up{job="app"} == 0', **{"for": "2m"},
    severity="critical", dashboard="Service",
    summary="{{ $labels.instance }} does not answer scrapes",
    description="Prometheus has not scraped {{ $labels.instance }} of job app for 2 minutes.",
    runbook="Check that the process runs and listens on its metrics port; restart it if it hangs.",
    examples=(
        Example(name="down for 3 minutes fires", at="3m", fires=True,
                labels={"job": "app", "instance": "localhost:8000"},
                series={'up{job="app",instance="localhost:8000"}': "0x5"}),
        Example(name="up all along never fires", at="5m", fires=False,
                series={'up{job="app",instance="localhost:8000"}': "1x5"}),
    ),
)

SERVICE = Dashboard(
    name="Service", refresh="30s", time_range="6h",
    description="For the team on call: is the application up.",
    rows=(Row(title="Availability", panels=(
        Panel(title="Targets up", kind="big_number", unit="none", description="Instances answering scrapes.",
              queries=Query(expr='sum(up{job="app"})', instant=True)),  # now, not its last value (GD011)
    )),),
)
