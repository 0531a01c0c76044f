"""The system watched and where its monitoring servers are; replace the targets with your own."""

from generator.model import ScrapeJob, Source, Stack

STACK = Stack(
    name="my-team",
    external_labels={"team": "my-team"},
    alertmanagers=("localhost:9093",),
    grafana_url="http://localhost:3000",
    docs_url="https://git.example.com/my-team/observability/blob/main/out/docs",  # where out/docs is published
)

SCRAPE_JOBS = [
    ScrapeJob(name="prometheus", source=Source.PROMETHEUS, targets=("localhost:9090",)),
    ScrapeJob(name="alertmanager", source=Source.ALERTMANAGER, targets=("localhost:9093",)),  # every one of them
    ScrapeJob(name="app", source=Source.APPLICATION, targets=("localhost:8000",)),
]
