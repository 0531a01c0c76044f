"""Kubernetes settings: one at most, and what deploying on prometheus-operator needs beside out/kubernetes/."""

from __future__ import annotations

import posixpath

from generator.core.errors import DefinitionError
from generator.derive.dashboards import dashboards
from generator.model import Kubernetes
from generator.model.project import Project, Warning


def mapping_warnings(project: Project) -> list[Warning]:
    """What deploying on prometheus-operator needs beside out/kubernetes/, said once per build."""
    declared = project.all(Kubernetes)
    if len(declared) > 1:
        raise DefinitionError(declared[1].location, f"a second Kubernetes definition; the first is at "
                                                    f"{declared[0].location}")
    if not declared:
        return []
    kube = declared[0]
    settings_with_files = [*project.channels.values(), *([project.alerting.smtp] if project.alerting.smtp else [])]
    files = sorted({posixpath.basename(str(value)) for item in settings_with_files
                    for key, value in item.model_dump().items() if key.endswith("_file") and value})
    needs = (f"Alertmanager resource {kube.alertmanager_name}: spec.secrets must list {kube.credentials_secret}"
             if kube.alertmanager == "secret" else
             f"Alertmanager resource {kube.alertmanager_name}: spec.alertmanagerConfiguration must name "
             f"AlertmanagerConfig {kube.alertmanager_name} and its templates ConfigMap")
    found = [Warning(kube.location, f"kubernetes: channel credentials ({', '.join(files) or 'none'}) are read from "
                                    f"Secret {kube.credentials_secret}, one key per file name; {needs}")]
    if dashboards(project):
        labels = ", ".join(f"{key}={value}" for key, value in kube.dashboard_labels.items())
        found.append(Warning(kube.location, f"kubernetes: dashboard ConfigMaps are labelled {labels} and name their "
                                            f"folder in annotation {kube.folder_annotation}: the Grafana sidecar's "
                                            "LABEL/LABEL_VALUE and FOLDER_ANNOTATION must match, and its dashboard "
                                            "provider needs foldersFromFilesStructure: true"))
    return found
