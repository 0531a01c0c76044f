"""URLs out/kubernetes/ writes reach each Service at its Service port, which need not be its pods' (the Grafana chart's
Service listens on 80 in front of 3000, the Tempo chart's on 3200 or, before, 3100): Kubernetes.service_ports says
it, and a URL whose Service port nobody said is reported (MP017) rather than silently given the compose port."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import build, compile_definitions, load
from generator.core.errors import ProblemsFound
from generator.derive.cluster_addresses import PROMETHEUS, url_in_cluster
from generator.model import Kubernetes
from tests.edits import edit
from tests.gitops.crd_schema import validate
from tests.gitops.helpers import copy_definitions
from tests.gitops.test_kubernetes_addresses import promtool_check_scrape_configs


def _definitions(tmp_path: Path, services: str, ports: str) -> Path:
    """The shipped definitions with more services, other service_ports, and remote write to a Mimir's compose host."""
    definitions = copy_definitions(tmp_path)
    kubernetes = definitions / "kubernetes.py"
    text = re.sub(r"\n    service_ports=.*,\n", "\n", kubernetes.read_text()).replace(
        '"api": "api.shop",', f'"api": "api.shop", {services}')
    assert text.endswith("\n)\n")
    kubernetes.write_text(f"{text[:-2]}    service_ports={ports},\n)\n")
    edit(definitions / "stack.py", 'server_retention="30d",',
         'server_retention="30d", long_term_url="http://mimir:9009/api/v1/push",')
    return definitions


def _document(out: Path, name: str) -> dict[str, Any]:
    document = yaml.safe_load((out / "kubernetes" / name).read_text())
    assert validate(document) == [], name
    return dict(document)


def test_urls_reach_each_service_at_the_service_port_the_mapping_gives(tmp_path: Path) -> None:
    """Loki's Service listens on 80 in front of its pods' 3100 (compose: loki:3100); Tempo's on 3100 in front of 3200;
    Mimir's nginx Service on 80 in front of 8080 (compose: mimir:9009): the data sources and remote write go to the
    Service ports, while the Loki scrape job still keeps the pods at 3100; promtool accepts the configuration."""
    definitions = _definitions(tmp_path, '"mimir": "mimir-nginx.mimir",', '{"loki": 80, "tempo": 3100, "mimir": 80}')
    out = tmp_path / "out"
    build(definitions, out)
    config_map = _document(out, "grafana-datasources/obsgen.yaml")
    (text,) = config_map["data"].values()
    urls = {source["name"]: source["url"] for source in yaml.safe_load(text)["datasources"]}
    assert urls == {"Prometheus": "http://prometheus-obsgen.monitoring.svc:9090",
                    "Alertmanager": "http://alertmanager-obsgen.monitoring.svc:9093",
                    "Loki": "http://loki.logging.svc:80", "Tempo": "http://tempo.monitoring.svc:3100"}
    prometheus = _document(out, "prometheus/prometheus.yaml")
    (remote,) = prometheus["spec"]["remoteWrite"]
    assert remote["url"] == "http://mimir-nginx.mimir.svc:80/api/v1/push"
    secret = _document(out, "prometheus/scrape-configs-secret.yaml")
    scraped = {config["job_name"]: config for config in yaml.safe_load(secret["stringData"]["scrape-configs.yaml"])}
    keep = next(rule for rule in scraped["loki"]["relabel_configs"] if rule.get("action") == "keep")
    assert keep["regex"] == "logging;loki;[^;]*;3100"  # the pods' port: service_ports moves URLs only
    compose = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    promtool_check_scrape_configs(list(scraped.values()), compose["global"], tmp_path)
    # the remote write Prometheus is given, in prometheus.yml's form, as promtool reads it
    checked = tmp_path / "remote-write.yml"
    checked.write_text(yaml.safe_dump({"global": compose["global"], "remote_write": [
        {"url": remote["url"], "write_relabel_configs": [
            {{"sourceLabels": "source_labels"}.get(key, key): value for key, value in rule.items()}
            for rule in remote["writeRelabelConfigs"]]}]}))
    result = subprocess.run(["promtool", "check", "config", str(checked)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_url_whose_service_port_nobody_gave_is_said(tmp_path: Path) -> None:
    """Without a service port, remote write keeps the compose URL's 9009, and the build says so (MP017) with what
    names the URL; the URLs whose Service ports were given are not listed."""
    definitions = _definitions(tmp_path, '"mimir": "mimir-nginx.mimir",', '{"loki": 3100, "tempo": 3200}')
    project = load(definitions)
    assert url_in_cluster(project.all(Kubernetes)[0], "http://mimir:9009/api/v1/push") == \
        "http://mimir-nginx.mimir.svc:9009/api/v1/push"
    said = [f"{Path(problem.location.file).name}:{problem.location.line}: {problem.message}"
            for problem in compile_definitions(definitions).report.problems if problem.code == "MP017"]
    line = next(number for number, text in enumerate((definitions / "kubernetes.py").read_text().splitlines(), 1)
                if "service_ports=" in text)  # the field said
    assert said == [f"kubernetes.py:{line}: kubernetes: URLs reach Services at their compose port, taken for the "
                    "Service port: mimir-nginx.mimir.svc (mimir): remote write http://mimir:9009/api/v1/push; give "
                    "each Service's port in Kubernetes(service_ports={...})"]


def test_the_service_port_of_a_host_port_goes_before_the_hosts() -> None:
    """As in services, a host:port key tells apart components on one host; a server's Service keeps its web port;
    a URL without a port (the scheme's) gets the Service's."""
    kube = Kubernetes(services={"localhost": "tools", "localhost:3100": "loki.logging", "grafana": "grafana"},
                      service_ports={"localhost": 8080, "localhost:3100": 80, "grafana": 80})
    assert url_in_cluster(kube, "http://localhost:3100/loki") == "http://loki.logging.svc:80/loki"
    assert url_in_cluster(kube, "http://localhost:9000") == "http://tools.monitoring.svc:8080"
    assert url_in_cluster(kube, "http://grafana") == "http://grafana.monitoring.svc:80"
    assert url_in_cluster(kube, "http://user:pass@grafana:3000/x") == "http://user:pass@grafana.monitoring.svc:80/x"
    assert url_in_cluster(kube, "http://prometheus:9091", PROMETHEUS) == "http://prometheus-obsgen.monitoring.svc:9090"


@pytest.mark.parametrize(("services", "ports", "message"), [
    ({"loki": "loki.logging"}, {"loki": 0}, r"service_ports: port of 'loki': 0 is not a port number \(1-65535\)"),
    ({"loki": "loki.logging"}, {"loki": 65536}, r"65536 is not a port number"),
    ({"loki": "loki.logging"}, {"tempo": 3200}, r"service_ports: 'tempo' is no host of services"),
    ({"loki:3100": "loki.logging"}, {"loki": 80}, r"'loki' is no host of services"),
    ({"loki": "loki.logging"}, {"http://loki": 80}, r"'http://loki' is not a host or host:port"),
])
def test_a_service_port_that_cannot_be_is_refused(services: dict[str, str], ports: dict[str, int],
                                                  message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Kubernetes(services=services, service_ports=ports)


def test_a_bad_service_port_is_refused_at_its_line(tmp_path: Path) -> None:
    definitions = _definitions(tmp_path, "", '{"loki": 3100, "tempo": 0}')
    with pytest.raises(ProblemsFound, match=r"kubernetes.py:\d+:.*service_ports: port of 'tempo': 0 is not a port"):
        load(definitions)
