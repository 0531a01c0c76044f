"""Shared helpers of the GitOps tests: a scratch copy of the shipped definitions, rule files by meaning."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from generator.analysis.diff.rules import rule_fields

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
KUBE_PROMETHEUS = sorted((FIXTURES / "kube-prometheus").glob("*-prometheusRule.yaml"))
KUBE_PROMETHEUS_DASHBOARDS = FIXTURES / "kube-prometheus/grafana-dashboardDefinitions.yaml"
OLD_DASHBOARDS = sorted((FIXTURES / "dashboards").glob("*.json"))
PLAIN_RULE_FILES = sorted((FIXTURES / "rules").glob("*.yml"))


def copy_definitions(directory: Path) -> Path:
    """A copy of the shipped definitions/ under directory."""
    target = directory / "definitions"
    shutil.copytree(ROOT / "definitions", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def source_groups(path: Path) -> list[Any]:
    """Rule groups of a plain rule file or of the PrometheusRule objects in a manifest."""
    groups: list[Any] = []
    for doc in yaml.safe_load_all(path.read_text()):
        groups += doc["spec"]["groups"] if doc.get("kind") == "PrometheusRule" else doc["groups"]
    return groups


def meaning(groups: list[Any]) -> list[Any]:
    """Groups as what they mean: settings, then each rule's kind, name and canonical fields, in order."""
    return [
        ({k: str(v) for k, v in group.items() if k != "rules"},
         [("alert" if "alert" in rule else "record", str(rule.get("alert") or rule.get("record")),
           {k: v for k, v in rule_fields(rule, "").items() if k != "group"}) for rule in group["rules"]])
        for group in groups
    ]


def promtool_check_rules(*files: Path, fatal_lint: bool = False) -> subprocess.CompletedProcess[str]:
    """promtool check rules on files; with fatal_lint its duplicate-rules lint fails the check too."""
    return subprocess.run(["promtool", "check", "rules", *(["--lint-fatal"] if fatal_lint else []), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
