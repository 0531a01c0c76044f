"""A small real project for the speed tests: the node-exporter rules of kube-prometheus imported, with a base; and a
build's record, read."""

from __future__ import annotations

from pathlib import Path

from generator.core.seal_key import key_path
from generator.importer.write import import_files
from tests.gitops.helpers import FIXTURES

NODE_EXPORTER = FIXTURES / "kube-prometheus" / "nodeExporter-prometheusRule.yaml"
BASE = '''
from generator.model import AlertingConfig, Kubernetes, Severity, Stack, WebhookChannel

STACK = Stack(name="speed", docs_url="https://docs.example.com")
CHANNELS = [WebhookChannel(name="oncall", url="http://receiver.example.com/alerts")]
ALERTING = AlertingConfig(severities=(Severity(name="info", channels=(), cooldown="1h"),
                                      Severity(name="warning", channels=("oncall",), cooldown="5m"),
                                      Severity(name="critical", channels=("oncall",), cooldown="1m")))
'''


def node_exporter_project(directory: Path, kubernetes: bool) -> Path:
    """definitions/ under directory: the base module and the imported node-exporter rules."""
    definitions = directory / "definitions"
    definitions.mkdir()
    (definitions / "__init__.py").write_text("")
    (definitions / "base.py").write_text(BASE + ("KUBERNETES = Kubernetes()\n" if kubernetes else ""))
    import_files([NODE_EXPORTER], definitions)
    return definitions


def recorded(definitions: Path) -> bytes:
    """The build's record, read (with why it is missing, if it is)."""
    record = definitions / "__pycache__/obsgen-build.record"
    key = "there" if Path(key_path()).is_file() else "missing"
    assert record.is_file(), f"no record after a build (seal key {key}: the build ran something, or had no key)"
    return record.read_bytes()
