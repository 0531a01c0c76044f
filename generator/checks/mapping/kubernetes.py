"""What deploying out/kubernetes/ on prometheus-operator needs beside the generated objects.

Channel credentials are read from one Secret (one key per referenced file name), the Alertmanager resource must
name the generated configuration, and the Grafana sidecar's labels and folder annotation must match the ones the
dashboard and data source ConfigMaps carry. What the data sources may clash with in that Grafana (names, uids, a
second default) is MP016's. Loki's rules (log alerts and LogQL recording rules) are not packaged: the cluster's
Loki ruler must load out/loki/rules/ itself, or they never run.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.core.wording import counted
from generator.derive.dashboards import dashboards
from generator.model import Kubernetes
from generator.model.logs import LogAlert, LogRecordingRule, LogStorage
from generator.targets.loki import RULES_DIR

CODE = "MP003"
NAME = "kubernetes"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    declared = project.all(Kubernetes)
    if not declared:
        return
    kube = declared[0]
    with_files = [*project.channels.values(), *([project.alerting.smtp] if project.alerting.smtp else [])]
    files = sorted({posixpath.basename(path) for item in with_files for path in item.secret_files()})
    needs = (f"Alertmanager resource {kube.alertmanager_name}: spec.secrets must list {kube.credentials_secret}"
             if kube.alertmanager == "secret" else
             f"Alertmanager resource {kube.alertmanager_name}: spec.alertmanagerConfiguration must name "
             f"AlertmanagerConfig {kube.alertmanager_name} and its templates ConfigMap")
    yield Finding(kube, f"kubernetes: channel credentials ({', '.join(files) or 'none'}) are read from Secret "
                        f"{kube.credentials_secret}, one key per file name; {needs}")
    if dashboards(project):
        labels = ", ".join(f"{key}={value}" for key, value in kube.dashboard_labels.items())
        yield Finding(kube, f"kubernetes: dashboard ConfigMaps are labelled {labels} and name their folder in "
                            f"annotation {kube.folder_annotation}: the Grafana sidecar's LABEL/LABEL_VALUE and "
                            "FOLDER_ANNOTATION must match, and its dashboard provider needs "
                            "foldersFromFilesStructure: true")
    labels = ", ".join(f"{key}={value}" for key, value in kube.datasource_labels.items())
    yield Finding(kube, f"kubernetes: Grafana's data sources are a ConfigMap labelled {labels}: the Grafana sidecar's "
                        "datasources LABEL/LABEL_VALUE must match")
    alerts, records = len(project.all(LogAlert)), len(project.all(LogRecordingRule))
    if project.all(LogStorage) and (alerts or records):
        yield Finding(kube, f"kubernetes: {counted(alerts, 'log alert')} and "
                            f"{counted(records, 'LogQL recording rule')} are in out/{RULES_DIR}/ only, not in "
                            "out/kubernetes/: the cluster's Loki ruler must load those files (its rules storage, "
                            "under its tenant), or they never run")
