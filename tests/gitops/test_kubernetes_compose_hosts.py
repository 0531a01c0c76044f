"""No object of out/kubernetes/ names a host only docker-compose's network resolves: in a cluster such a scrape
target is down and such a data source fails."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import yaml

from generator.derive.dashboards import settings
from generator.model.project import Project
from tests.gitops.helpers import ROOT


def compose_hosts(project: Project) -> set[str]:
    """Every name only docker-compose's network resolves: its services, their aliases, and the single-label host
    names (not localhost) the definitions scrape or reach Grafana's data sources at."""
    services = yaml.safe_load((ROOT / "stacks/docker-compose.yml").read_text())["services"]
    hosts = set(services) | {alias for service in services.values()
                             for network in (service.get("networks") or {}).values() if isinstance(network, dict)
                             for alias in network.get("aliases", [])}
    grafana = settings(project)
    named = [target.rpartition(":")[0] for job in project.scrape_jobs for target in job.targets]
    named += [urlsplit(url).hostname or "" for url in (
        grafana.prometheus_url, grafana.alertmanager_url, grafana.loki_url, grafana.tempo_url)]
    return hosts | {host for host in named if "." not in host and host != "localhost"}


def test_no_kubernetes_object_names_a_compose_only_host(project: Project) -> None:
    hosts = compose_hosts(project)
    assert {"node-exporter", "alertmanager", "alertmanager-1", "loki", "api"} <= hosts
    names = "|".join(sorted(map(re.escape, hosts), key=len, reverse=True))
    address = re.compile(rf"(?:://|(?<![\w./:-]))({names}):\d+|://({names})(?![\w.-])")
    found = {f"{path.relative_to(ROOT)}: {match.group(0)}" for path in sorted((ROOT / "out/kubernetes").rglob("*.yaml"))
             for match in address.finditer(path.read_text())}
    assert found == set()
