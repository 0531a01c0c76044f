"""The obsgen project equivalent to kube-prometheus' rules and dashboards, and its renamed copies.

The project is generated into a given folder by `obsgen import` of the anchor's manifests/ (never into
definitions/), plus a small base module (Stack, AlertingConfig, Kubernetes); the larger projects import
renamed copies of the same manifests.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonnet_peer import ANCHOR

from kube_prometheus.processes import obsgen, run

RULE_MANIFESTS = sorted((ANCHOR / "manifests").glob("*-prometheusRule.yaml"))
DASHBOARD_MANIFEST = ANCHOR / "manifests" / "grafana-dashboardDefinitions.yaml"

BASE_MODULE = '''"""What kube-prometheus sets besides rules and dashboards: stack, receivers, Kubernetes packaging."""

from generator.model import AlertingConfig, Kubernetes, Severity, Stack, WebhookChannel

STACK = Stack(name="kube-prometheus", docs_url="https://runbooks.prometheus-operator.dev/runbooks")
CHANNELS = [WebhookChannel(name="oncall", url="http://alert-receiver.monitoring.svc:8080/alerts")]
ALERTING = AlertingConfig(severities=(Severity(name="info", channels=(), cooldown="1h"),
                                      Severity(name="warning", channels=("oncall",), cooldown="5m"),
                                      Severity(name="critical", channels=("oncall",), cooldown="1m")))
KUBERNETES = Kubernetes(namespace="monitoring")
'''


def _renamed(document: dict[str, Any], copy: int, recorded: list[str]) -> dict[str, Any]:
    """A PrometheusRule with every object name, group, alert and recorded series suffixed by the copy."""
    pattern = re.compile(r"(?<![\w:])(" + "|".join(map(re.escape, recorded)) + r")(?![\w:])")
    document["metadata"]["name"] += f"-copy{copy}"
    for group in document["spec"]["groups"]:
        group["name"] += f"-copy{copy}"
        for rule in group["rules"]:
            rule["expr"] = pattern.sub(lambda m: f"{m.group(1)}_copy{copy}", str(rule["expr"]))
            if "alert" in rule:
                rule["alert"] += f"Copy{copy}"
            else:
                rule["record"] += f"_copy{copy}"
    return document


def _renamed_dashboards(document: dict[str, Any], copy: int) -> dict[str, Any]:
    """The dashboards ConfigMapList with every ConfigMap, file, title and uid suffixed by the copy."""
    for item in document["items"]:
        item["metadata"]["name"] += f"-copy{copy}"
        renamed = {}
        for name, text in item["data"].items():
            dashboard = json.loads(text)
            dashboard["title"] += f" copy {copy}"
            dashboard["uid"] = f"{dashboard['uid'][:32]}-copy{copy}"
            renamed[f"copy{copy}-{name}"] = json.dumps(dashboard, indent=4)
        item["data"] = renamed
    return document


def _copies(sources: list[Path], directory: Path, copies: int) -> list[Path]:
    """The sources, or `copies` renamed copies of them written under directory (copy 0 keeps the names)."""
    if copies == 1:
        return sources
    documents = {path: yaml.safe_load(path.read_text()) for path in sources}
    recorded = sorted({rule["record"] for doc in documents.values() if doc["kind"] == "PrometheusRule"
                       for group in doc["spec"]["groups"] for rule in group["rules"] if "record" in rule},
                      key=len, reverse=True)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for copy in range(copies):
        for path, document in documents.items():
            target = directory / f"copy{copy}-{path.name}"
            renamed = json.loads(json.dumps(document))
            if copy:
                renamed = (_renamed(renamed, copy, recorded) if document["kind"] == "PrometheusRule"
                           else _renamed_dashboards(renamed, copy))
            target.write_text(yaml.safe_dump(renamed, sort_keys=False, width=1000))
            written.append(target)
    return written


@dataclass(frozen=True)
class Project:
    """An equivalent obsgen project: its definitions/, what it holds, whether the dashboards are in it."""

    definitions: Path
    summary: str
    dashboards: bool


BATCH = 25
"""Copies of the dashboards manifest per import: one copy is about 1,100 dashboards, variables, panels and queries,
and one import takes 40,000 at most."""


def _whole(files: list[Path]) -> list[str]:
    """An import's arguments: the files, and --max-total raised to what they hold (the 100 copies of the dashboards
    are over the 64 MiB one import reads by default, which left the 100x project without any)."""
    total = sum(file.stat().st_size for file in files)
    return ["--max-total", str(total // 2**20 + 1), *map(str, files)]


def project(directory: Path, copies: int) -> Project:
    """definitions/ of the kube-prometheus equivalent, by `obsgen import` of the rules, then of the dashboards (an
    import that fails stops the bench: a project without them would be measured as if it had them)."""
    definitions, made = directory / "definitions", directory / "project.json"
    if made.exists():  # kept from an earlier run (BENCH_PROJECTS)
        kept = json.loads(made.read_text())
        return Project(definitions, kept["summary"], kept["dashboards"])
    shutil.rmtree(directory, ignore_errors=True)
    definitions.mkdir(parents=True)
    (definitions / "__init__.py").write_text("")
    (definitions / "base.py").write_text(BASE_MODULE)
    imported = run(obsgen("import", "--definitions", str(definitions), *_whole(_copies(RULE_MANIFESTS,
                                                                                      directory / "src", copies))))
    summary = imported.stdout.strip().splitlines()[-1].removeprefix("obsgen import: ")
    dashboard_files = _copies([DASHBOARD_MANIFEST], directory / "src", copies)
    said = "".join(run(obsgen("import", "--definitions", str(definitions), *_whole(dashboard_files[at:at + BATCH])))
                   .stdout for at in range(0, len(dashboard_files), BATCH))
    listed = run(obsgen("list", "--definitions", str(definitions))).stdout.splitlines()
    dashboards = sum(line.split()[0] == "Dashboard" for line in listed if line.strip())
    panels = sum(int(found) for found in re.findall(r"\((\d+) panels\)", said))
    summary = (f"{summary.split(' recording rules')[0]} recording rules; {dashboards} dashboards"
               + (f", {panels} panels" if panels else ""))
    made.write_text(json.dumps({"summary": summary, "dashboards": dashboards > 0}))
    return Project(definitions, summary, dashboards > 0)
