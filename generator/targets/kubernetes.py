"""Kubernetes: the same rules and routing packaged for prometheus-operator, under out/kubernetes/.

Written only when definitions/ declare a Kubernetes object. Each kind of object comes from one builder
in OBJECT_BUILDERS: PrometheusRules, the Alertmanager configuration, and a ConfigMap per dashboard
labelled for the Grafana sidecar (k8s-sidecar), which writes it where Grafana's provider reads it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from generator.dashboards import dashboards
from generator.emit import serialise
from generator.errors import DefinitionError
from generator.model import Kubernetes, RuleSet
from generator.model.identity import slug
from generator.project import Project, Warning
from generator.targets import alertmanager, grafana, prometheus, rulesets
from generator.targets.alertmanagerconfig import alertmanager_config

DIR = "kubernetes"
SECRETS_MOUNT = "/etc/alertmanager/secrets"  # where the operator mounts spec.secrets of an Alertmanager
CONFIG_MOUNT = "/etc/alertmanager/config"  # where it mounts the config Secret's keys
CONFIG_KEY = "alertmanager.yaml"
OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")  # a DNS-1123 subdomain
MANAGED_BY = {"app.kubernetes.io/managed-by": "obsgen"}
CONFIG_MAP_BYTES = 1024 * 1024  # what the API server (etcd) accepts in one ConfigMap
ROOT_FOLDER = "General"  # Grafana's root: the sidecar writes those files at the top, no folder annotation


def settings(project: Project) -> Kubernetes | None:
    """The project's Kubernetes settings, if it declares them."""
    found = project.all(Kubernetes)
    return found[0] if found else None


def metadata(kube: Kubernetes, name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Object metadata: name, namespace and labels (obsgen's own, then the given ones)."""
    if len(name) > 253 or not OBJECT_NAME.match(name):
        raise ValueError(f"{name!r} is not a Kubernetes object name")
    return {"name": name, "namespace": kube.namespace, "labels": {**MANAGED_BY, **(labels or {})}}


def _prometheus_rule(kube: Kubernetes, name: str, group: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata(kube, name, kube.rule_labels),
        "spec": {"groups": [group]},
    }


def prometheus_rules(project: Project, kube: Kubernetes) -> dict[str, Any]:
    """One PrometheusRule per rule group: obsgen's groups, then each rule set's."""
    groups: list[tuple[str, dict[str, Any]]] = [
        (slug(f"{project.stack.name}-{name}"), document["groups"][0])
        for name, document in sorted(prometheus.rule_groups(project).items())
    ]
    for rule_set in project.all(RuleSet):
        groups += [(slug(f"{rule_set.name}-{group.name}"), rulesets.group_entry(group)) for group in rule_set.groups]
    files: dict[str, Any] = {}
    for name, group in groups:
        path = f"{DIR}/prometheusrules/{name}.yaml"
        if path in files:
            raise ValueError(f"two rule groups become PrometheusRule {name}: rename one")
        files[path] = _prometheus_rule(kube, name, group)
    return files


def credential_path(kube: Kubernetes, path: str) -> str:
    """Where a channel's credentials file is inside the Alertmanager pod: a key of the credentials Secret."""
    return f"{SECRETS_MOUNT}/{kube.credentials_secret}/{posixpath.basename(path)}"


def _with_credentials_mounted(value: Any, kube: Kubernetes) -> Any:
    if isinstance(value, dict):
        return {key: credential_path(kube, item) if key.endswith("_file") and isinstance(item, str)
                else _with_credentials_mounted(item, kube) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_credentials_mounted(item, kube) for item in value]
    return value


def config_secret(project: Project, kube: Kubernetes) -> dict[str, Any]:
    """The Alertmanager resource's config Secret: alertmanager.yaml and the notification templates."""
    config = _with_credentials_mounted(alertmanager.config(project), kube)
    config["templates"] = [f"{CONFIG_MOUNT}/{alertmanager.TEMPLATE_NAME}"]
    template = alertmanager.render(project)[f"alertmanager/templates/{alertmanager.TEMPLATE_NAME}"]
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(kube, f"alertmanager-{kube.alertmanager_name}"),
        "type": "Opaque",
        "stringData": {CONFIG_KEY: serialise(CONFIG_KEY, config).decode(), alertmanager.TEMPLATE_NAME: template},
    }
    return {f"{DIR}/alertmanager/config-secret.yaml": secret}


def templates_config_map(project: Project, kube: Kubernetes) -> dict[str, Any]:
    """The notification templates, for the Alertmanager resource's alertmanagerConfiguration.templates."""
    template = alertmanager.render(project)[f"alertmanager/templates/{alertmanager.TEMPLATE_NAME}"]
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(kube, f"alertmanager-{kube.alertmanager_name}-templates"),
        "data": {alertmanager.TEMPLATE_NAME: template},
    }
    return {f"{DIR}/alertmanager/templates-configmap.yaml": config_map}


def alertmanager_objects(project: Project, kube: Kubernetes) -> dict[str, Any]:
    """The Alertmanager configuration in the form the settings ask for."""
    if kube.alertmanager == "secret":
        return config_secret(project, kube)
    resource = {
        "apiVersion": "monitoring.coreos.com/v1alpha1",
        "kind": "AlertmanagerConfig",
        "metadata": metadata(kube, kube.alertmanager_name),
        "spec": alertmanager_config(alertmanager.config(project), kube.credentials_secret),
    }
    return {f"{DIR}/alertmanager/alertmanagerconfig.yaml": resource, **templates_config_map(project, kube)}


def dashboard_config_maps(project: Project, kube: Kubernetes) -> dict[str, Any]:
    """A ConfigMap per dashboard holding its JSON, labelled for the sidecar, its folder annotated."""
    files: dict[str, Any] = {}
    uids: dict[str, str] = {}
    for dashboard in dashboards(project):
        name = slug(f"grafana-dashboard-{dashboard.uid}")
        path = f"{DIR}/grafana-dashboards/{name}.yaml"
        if path in files:
            raise ValueError(f"dashboard uids {dashboard.uid!r} and {uids[path]!r} make the same ConfigMap name "
                             f"{name}: change one grafana_uid")
        uids[path] = dashboard.uid
        key = f"{dashboard.uid}.json"
        document = serialise(key, grafana.dashboard_json(project, dashboard)).decode()
        if len(document.encode()) > CONFIG_MAP_BYTES:
            raise ValueError(f"dashboard {dashboard.name}: its JSON is {len(document.encode())} bytes, over the 1 MiB "
                             "a ConfigMap holds; split the dashboard")
        meta = metadata(kube, name, kube.dashboard_labels)
        if dashboard.folder != ROOT_FOLDER:
            meta["annotations"] = {kube.folder_annotation: dashboard.folder}
        files[path] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {key: document}}
    return files


Builder = Callable[[Project, Kubernetes], dict[str, Any]]
OBJECT_BUILDERS: tuple[Builder, ...] = (prometheus_rules, alertmanager_objects, dashboard_config_maps)
"""Each returns {path: Kubernetes object}."""


def mapping_warnings(project: Project) -> list[Warning]:
    """What deploying on prometheus-operator needs beside out/kubernetes/, said once per build."""
    declared = project.all(Kubernetes)
    if len(declared) > 1:
        raise DefinitionError(declared[1].location, f"a second Kubernetes definition; the first is at "
                                                    f"{declared[0].location}")
    kube = settings(project)
    if kube is None:
        return []
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


def render(project: Project) -> dict[str, Any]:
    """Every Kubernetes object, one file each, and the kustomization listing them."""
    kube = settings(project)
    if kube is None:
        return {}
    files: dict[str, Any] = {}
    for builder in OBJECT_BUILDERS:
        files |= builder(project, kube)
    resources = sorted(posixpath.relpath(path, DIR) for path in files)
    files[f"{DIR}/kustomization.yaml"] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources,
    }
    return files
