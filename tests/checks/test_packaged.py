"""The checks over out/kubernetes/'s addresses read the packaging once, through one helper, and say nothing for a
project not packaged for Kubernetes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from generator.build import load
from generator.checks.base import Context, Finding
from generator.checks.mapping import assumed_service, unknown_service_port
from generator.checks.packaged import Served, over_packaged_addresses
from generator.checks.xref import merged_ports, plain_http_to_https
from generator.model import Kubernetes
from tests.checks.test_cases import CASE_MODULE, project_with

PACKAGED = """
from generator.model import Kubernetes
KUBERNETES = Kubernetes(services={"localhost:9100": "node-exporter.monitoring"})
"""


@over_packaged_addresses
def _each_address(kube: Kubernetes, served: Served) -> Iterator[Finding]:
    for address, found in served:
        yield Finding(kube, f"{address.what} -> {found.dns if found else 'kept'}")


def test_a_check_over_packaged_addresses_reads_each_with_its_service(tmp_path: Path) -> None:
    context = Context(load(project_with(tmp_path, {CASE_MODULE: PACKAGED})))
    said = [finding.message for finding in _each_address(context)]
    assert "scrape job node target localhost:9100 -> node-exporter.monitoring.svc" in said
    assert "scrape job prometheus target localhost:9090 -> prometheus-obsgen.monitoring.svc" in said
    assert "Grafana's Loki data source http://loki:3100 -> loki.monitoring.svc" in said


def test_unpackaged_it_says_nothing_and_every_packaged_check_uses_it(tmp_path: Path) -> None:
    context = Context(load(project_with(tmp_path, {})))
    assert list(_each_address(context)) == []
    for module in (assumed_service, unknown_service_port, merged_ports, plain_http_to_https):
        assert module.check.__wrapped__.__module__ == module.__name__
        assert list(module.check(context)) == []
