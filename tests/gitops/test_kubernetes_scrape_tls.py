"""A cluster scrape job reaches an exporter behind kube-rbac-proxy as kube-prometheus' ServiceMonitor does: https,
the ServiceAccount token as a bearer token file, the proxy's self-signed certificate accepted (kube-prometheus'
jsonnet/kube-prometheus/components/node-exporter.libsonnet: Service port `https` 9100, endpoint scheme https,
bearerTokenFile, tlsConfig insecureSkipVerify). The credentials stay a file path in out/.

The real Prometheus scrapes a stand-in for kube-rbac-proxy: an https server with a self-signed certificate that
answers only the right bearer token. Its endpointslice discovery is a file_sd stub labelled as discovery labels
node-exporter's endpoints (slice port `https`, 9100), the address pointing at the stand-in."""

from __future__ import annotations

import http.server
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import compile_definitions
from generator.model import ClusterEndpoint, Kubernetes, ScrapeJob, Source
from generator.model.conventions import PROMETHEUS_CONFIG
from generator.model.kubernetes import SERVICE_ACCOUNT_TOKEN
from generator.model.project import Project
from generator.package.kubernetes import servers
from tests.edits import edit
from tests.gitops.helpers import ROOT, copy_definitions
from tests.gitops.test_kubernetes_addresses import promtool_check_scrape_configs
from tests.servers import https_server, prometheus

TOKEN = "token-of-prometheus-serviceaccount"


def _shipped_node_job() -> dict[str, Any]:
    secret = yaml.safe_load((ROOT / "out/kubernetes/prometheus/scrape-configs-secret.yaml").read_text())
    (job,) = [config for config in yaml.safe_load(secret["stringData"]["scrape-configs.yaml"])
              if config["job_name"] == "node"]
    return dict(job)


@pytest.fixture
def kube_rbac_proxy(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """An https server with a self-signed certificate serving /metrics to TOKEN only (as kube-rbac-proxy does once
    the API server allows the token): its port, and the Authorization headers it was sent."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            body = b"node_exporter_build_info 1\n" if ok else b"Unauthorized\n"
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with https_server(Handler, tmp_path, "node") as (port, _):
        yield port, seen


def _scraped(job: dict[str, Any], port: int, tmp_path: Path) -> dict[str, Any]:
    """The job's one target as the real Prometheus reports it after scraping the stand-in."""
    sd_file = tmp_path / "endpointslices.json"
    sd_file.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"], "labels": {
        "__meta_kubernetes_namespace": "monitoring", "__meta_kubernetes_service_name": "node-exporter",
        "__meta_kubernetes_endpointslice_port_name": "https", "__meta_kubernetes_endpointslice_port": "9100",
        "__meta_kubernetes_pod_name": "node-exporter-abcde"}}]))
    token = tmp_path / "token"  # the pod's ServiceAccount token, here
    token.write_text(TOKEN)
    job = {key: value for key, value in job.items() if key != "kubernetes_sd_configs"}
    job["file_sd_configs"] = [{"files": [str(sd_file)]}]
    if "authorization" in job:
        job["authorization"] = {**job["authorization"], "credentials_file": str(token)}
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                                      "scrape_configs": [job]}))
    with prometheus(config, tmp_path) as server:
        deadline = time.monotonic() + 30
        while True:
            targets = server.get("/api/v1/targets").json()["data"]["activeTargets"]
            if (targets and targets[0]["health"] != "unknown") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert len(targets) == 1, targets
    return dict(targets[0])


def test_the_node_job_scrapes_kube_rbac_proxy_over_https_with_the_token(
        kube_rbac_proxy: tuple[int, list[str]], tmp_path: Path) -> None:
    port, seen = kube_rbac_proxy
    job = _shipped_node_job()
    assert job["scheme"] == "https" and job["tls_config"] == {"insecure_skip_verify": True}
    assert job["authorization"] == {"type": "Bearer", "credentials_file": SERVICE_ACCOUNT_TOKEN}
    target = _scraped(job, port, tmp_path)
    assert target["health"] == "up", target
    assert target["scrapeUrl"] == f"https://127.0.0.1:{port}/metrics"
    assert target["labels"]["job"] == "node" and target["labels"]["pod"] == "node-exporter-abcde"
    assert seen and set(seen) == {f"Bearer {TOKEN}"}


def test_as_compose_scrapes_it_plain_http_fails_against_kube_rbac_proxy(
        kube_rbac_proxy: tuple[int, list[str]], tmp_path: Path) -> None:
    """What the job was before: the same target down."""
    port, _ = kube_rbac_proxy
    plain = {key: value for key, value in _shipped_node_job().items()
             if key not in ("scheme", "tls_config", "authorization")}
    assert _scraped(plain, port, tmp_path)["health"] == "down"


def test_credentials_reach_out_as_file_paths_only(project: Project, tmp_path: Path) -> None:
    """ClusterEndpoint takes no token, only files in Prometheus' pod; the rendered job names them, and promtool
    accepts every TLS setting."""
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        ClusterEndpoint.model_validate({"scheme": "https", "bearer_token": TOKEN})
    job = ScrapeJob(name="node", source=Source.NODE_EXPORTER, targets=("node-exporter:9100",), cluster=ClusterEndpoint(
        scheme="https", ca_file="/etc/prometheus/ca.crt", server_name="node-exporter.monitoring.svc",
        bearer_token_file=SERVICE_ACCOUNT_TOKEN))
    others = tuple(obj for obj in project.objects if not isinstance(obj, ScrapeJob))
    rendered = {PROMETHEUS_CONFIG: {"scrape_configs": [
        {"job_name": "node", "static_configs": [{"targets": ["node-exporter:9100"]}]}]}}
    secret = servers(replace(project, objects=(*others, job)), Kubernetes(), rendered)[
        "kubernetes/prometheus/scrape-configs-secret.yaml"]
    text = secret["stringData"]["scrape-configs.yaml"]
    (config,) = yaml.safe_load(text)
    assert config["tls_config"] == {"ca_file": "/etc/prometheus/ca.crt",
                                    "server_name": "node-exporter.monitoring.svc"}
    assert config["authorization"] == {"type": "Bearer", "credentials_file": SERVICE_ACCOUNT_TOKEN}
    assert "credentials:" not in text and "bearer_token:" not in text
    promtool_check_scrape_configs([config], {"scrape_interval": "15s"}, tmp_path)


@pytest.mark.parametrize(("fields", "message"), [
    ({"scheme": "http", "insecure_skip_verify": True}, "need scheme='https'"),
    ({"scheme": "http", "ca_file": "/ca.crt"}, "need scheme='https'"),
    ({"scheme": "https", "ca_file": "/ca.crt", "insecure_skip_verify": True}, "a ca_file beside it verifies nothing"),
    ({"scheme": "https", "bearer_token_file": "token"}, "an absolute file path in Prometheus' pod"),
    ({"scheme": "ftp"}, "'http' or 'https'"),
])
def test_an_endpoint_that_cannot_be_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClusterEndpoint.model_validate(fields)


def test_an_endpoint_is_refused_at_its_line(tmp_path: Path) -> None:
    definitions = copy_definitions(tmp_path)
    edit(definitions / "stack.py", "bearer_token_file=SERVICE_ACCOUNT_TOKEN", 'bearer_token_file="token"')
    errors = [f"{Path(p.location.file).name}:{p.location.line}: {p.message}"
              for p in compile_definitions(definitions).report.errors]
    assert any("stack.py:" in error and "absolute file path" in error for error in errors), errors
