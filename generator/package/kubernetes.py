"""Kubernetes: what the targets rendered, packaged for prometheus-operator under out/kubernetes/.

Written only when definitions/ declare a Kubernetes object. As Sloth's storage writers wrap one rule
model, packaging wraps the targets' documents (found at the paths of generator.model.conventions) and
never renders them again. Each kind of object comes from one builder in OBJECT_BUILDERS:
PrometheusRules, the Alertmanager configuration, a ConfigMap per dashboard labelled for the Grafana
sidecar (k8s-sidecar), which writes it where Grafana's provider reads it, one of Grafana's data sources, and
(unless another installation owns them) the Prometheus and Alertmanager resources themselves.
"""

from __future__ import annotations

import copy
import math
import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from generator.core.errors import DefinitionError
from generator.core.made_once import made
from generator.derive.cluster_addresses import ALERTMANAGER, PROMETHEUS, server_service, url_in_cluster
from generator.derive.dashboards import dashboards
from generator.derive.dispatch_start import longest_resend, start_delay
from generator.derive.for_state import for_state
from generator.model import Kubernetes, RuleSet, conventions
from generator.model.identity import slug
from generator.model.kubernetes import QUANTITY
from generator.model.project import Project
from generator.package.alertmanagerconfig import alertmanager_config
from generator.package.cluster_scrape import scrape_configs
from generator.package.emit import serialise
from generator.package.object_meta import MANAGED_BY, metadata
from generator.package.prometheus_access import account_name, prometheus_access
from generator.package.server_services import pod_selector, server_services
from generator.targets.prometheus import FEATURES as PROMETHEUS_FEATURES

DIR = "kubernetes"
SECRETS_MOUNT = "/etc/alertmanager/secrets"  # where the operator mounts spec.secrets of an Alertmanager
CONFIG_MOUNT = "/etc/alertmanager/config"  # where it mounts the config Secret's keys
CONFIG_KEY = "alertmanager.yaml"
CONFIG_MAP_BYTES = 1024 * 1024  # what the API server (etcd) accepts in one ConfigMap
ROOT_FOLDER = "General"  # Grafana's root: the sidecar writes those files at the top, no folder annotation


def settings(project: Project) -> Kubernetes | None:
    """The project's Kubernetes settings, if it declares them."""
    found = project.all(Kubernetes)
    return found[0] if found else None


def _prometheus_rule(kube: Kubernetes, name: str, group: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata(kube, name, kube.rule_labels),
        "spec": {"groups": [group]},
    }


Rendered = Mapping[str, Any]
"""The targets' documents by path under out/."""


def prometheus_rules(project: Project, kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """One PrometheusRule per rule group: obsgen's groups, then each rule set's."""
    sets = {conventions.rule_set_file(rule_set.name): rule_set.name for rule_set in project.all(RuleSet)}
    groups: list[tuple[str, dict[str, Any]]] = [
        (slug(f"{project.stack.name}-{group['name']}"), group)
        for path, document in sorted(rendered.items())
        if path.startswith(conventions.RULES_DIR + "/") and path not in sets for group in document["groups"]
    ]
    for path, name in sets.items():
        groups += [(slug(f"{name}-{group['name']}"), group) for group in rendered[path]["groups"]]
    files: dict[str, Any] = {}
    for name, group in groups:
        path = f"{DIR}/prometheusrules/{name}.yaml"
        if path in files:
            raise DefinitionError(kube.location, f"two rule groups become PrometheusRule {name}: rename one")
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


def config_secret(kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """The Alertmanager resource's config Secret: alertmanager.yaml and the notification templates."""
    config = _with_credentials_mounted(rendered[conventions.ALERTMANAGER_CONFIG], kube)
    config["templates"] = [f"{CONFIG_MOUNT}/{conventions.ALERTMANAGER_TEMPLATE}"]
    template = rendered[conventions.alertmanager_template()]
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(kube, f"alertmanager-{kube.alertmanager_name}"),
        "type": "Opaque",
        "stringData": {CONFIG_KEY: serialise(CONFIG_KEY, config).decode(), conventions.ALERTMANAGER_TEMPLATE: template},
    }
    return {f"{DIR}/alertmanager/config-secret.yaml": secret}


def templates_config_map(kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """The notification templates, for the Alertmanager resource's alertmanagerConfiguration.templates."""
    template = rendered[conventions.alertmanager_template()]
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(kube, f"alertmanager-{kube.alertmanager_name}-templates"),
        "data": {conventions.ALERTMANAGER_TEMPLATE: template},
    }
    return {f"{DIR}/alertmanager/templates-configmap.yaml": config_map}


def alertmanager_objects(project: Project, kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """The Alertmanager configuration in the form the settings ask for."""
    if kube.alertmanager == "secret":
        return config_secret(kube, rendered)
    resource = {
        "apiVersion": "monitoring.coreos.com/v1alpha1",
        "kind": "AlertmanagerConfig",
        "metadata": metadata(kube, kube.alertmanager_name),
        "spec": alertmanager_config(rendered[conventions.ALERTMANAGER_CONFIG], kube.credentials_secret,
                                    project.stack.alertmanager_version),
    }
    return {f"{DIR}/alertmanager/alertmanagerconfig.yaml": resource, **templates_config_map(kube, rendered)}


def _serialised(document: Any, key: str) -> bytes:
    return serialise(key, document)


def dashboard_config_maps(project: Project, kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """A ConfigMap per dashboard holding its JSON, labelled for the sidecar, its folder annotated."""
    files: dict[str, Any] = {}
    uids: dict[str, str] = {}
    for dashboard in dashboards(project):
        name = slug(f"grafana-dashboard-{dashboard.uid}")
        path = f"{DIR}/grafana-dashboards/{name}.yaml"
        if path in files:
            raise DefinitionError(dashboard.location, f"dashboard uids {dashboard.uid!r} and {uids[path]!r} make "
                                  "the same ConfigMap name "
                             f"{name}: change one grafana_uid")
        uids[path] = dashboard.uid
        key = f"{dashboard.uid}.json"
        data = made(_serialised, rendered[conventions.dashboard_file(dashboard.folder, dashboard.uid)], key)
        if len(data) > CONFIG_MAP_BYTES:
            raise DefinitionError(dashboard.location, f"dashboard {dashboard.name}: its JSON is "
                                  f"{len(data)} bytes, over the 1 MiB "
                             "a ConfigMap holds; split the dashboard")
        meta = metadata(kube, name, kube.dashboard_labels)
        if dashboard.folder != ROOT_FOLDER:
            meta["annotations"] = {kube.folder_annotation: dashboard.folder}
        files[path] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {key: data.decode()}}
    return files


DATASOURCES_KEY = "obsgen-datasources.yaml"  # beside, not over, the chart's own datasource.yaml in the sidecar's folder
DATASOURCE_SERVERS = {"prometheus": PROMETHEUS, "alertmanager": ALERTMANAGER}
"""The data sources (by uid) the servers' own Services serve."""


def datasources_config_map(project: Project, kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """Grafana's data sources (the provisioning file compose mounts: uids the dashboards name, links between them),
    at the Services standing for their hosts, in a ConfigMap labelled for the sidecar, which writes it into
    Grafana's provisioning/datasources. The Prometheus one is Grafana's default unless the Grafana installation
    provisions a default of its own (Grafana refuses two)."""
    provisioning = copy.deepcopy(dict(rendered[conventions.GRAFANA_DATASOURCES]))
    for datasource in provisioning["datasources"]:
        datasource["url"] = url_in_cluster(kube, datasource["url"], DATASOURCE_SERVERS.get(datasource["uid"]))
        if not kube.default_datasource:
            datasource.pop("isDefault", None)
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": metadata(kube, "grafana-datasources-obsgen", kube.datasource_labels),
                  "data": {DATASOURCES_KEY: serialise(DATASOURCES_KEY, provisioning).decode()}}
    return {f"{DIR}/grafana-datasources/obsgen.yaml": config_map}


MONITOR_SELECTORS = ("serviceMonitorSelector", "podMonitorSelector", "probeSelector", "scrapeConfigSelector")
SCRAPE_CONFIGS_KEY = "scrape-configs.yaml"
SERVICE_DISCOVERY_ROLE = "EndpointSlice"  # the operator's for ServiceMonitors and Alertmanagers, as cluster_scrape's


MEBIBYTES = {"Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


def retention_size(claim: str) -> str:
    """90% of a claim, in Prometheus' base-2 MB: the WAL and compactions need room beyond the blocks it keeps."""
    match = QUANTITY.match(claim)
    assert match is not None  # the model checks it
    return f"{int(match.group(1)) * MEBIBYTES[match.group(2)] * 9 // 10}MB"


def _storage(kube: Kubernetes, size: str) -> dict[str, Any]:
    """A PersistentVolumeClaim per replica (the operator's volumeClaimTemplate) instead of an emptyDir."""
    claim: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if kube.storage_class:
        claim["storageClassName"] = kube.storage_class
    return {"volumeClaimTemplate": {"spec": claim}}


def disruption_budget(kube: Kubernetes, server: dict[str, Any]) -> dict[str, Any]:
    """A PodDisruptionBudget letting a drain or node upgrade evict one replica of a server at a time, for a server
    of more than one replica (as kube-prometheus ships for alertmanager-main and prometheus-k8s); a lone replica
    gets none, which would block every drain."""
    kind, name = server["kind"], server["metadata"]["name"]
    if server["spec"].get("replicas", 1) <= 1:
        return {}
    app = kind.lower()
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata(kube, f"{app}-{name}"),
              "spec": {"maxUnavailable": 1, "selector": {"matchLabels": pod_selector(kind, name)}}}
    return {f"{DIR}/{app}/pod-disruption-budget.yaml": budget}


RELABEL_FIELDS = {"source_labels": "sourceLabels", "target_label": "targetLabel"}


def remote_writes(kube: Kubernetes, config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """prometheus.yml's remote_write (the long-term store of recorded series) in the resource's form, its compose
    host replaced by the Service standing for it."""
    return [{"url": url_in_cluster(kube, remote["url"]), "writeRelabelConfigs": [
        {RELABEL_FIELDS.get(key, key): value for key, value in rule.items()}
        for rule in remote.get("write_relabel_configs", [])]} for remote in config.get("remote_write", [])]


def servers(project: Project, kube: Kubernetes, rendered: Rendered) -> dict[str, Any]:
    """The Prometheus resource (scraping the definitions' jobs, selecting the rules, sending to every Alertmanager
    replica, restoring `for`) with its ServiceAccount and the Secret of its scrape configs, the Alertmanager
    resource (a replica per Stack.alertmanagers entry: the operator clusters them), and a Service for each selecting
    its pods only."""
    if not kube.servers:
        return {}
    state = for_state(project)
    account = account_name(kube)
    scraped, namespaces = scrape_configs(project, kube, rendered[conventions.PROMETHEUS_CONFIG]["scrape_configs"])
    prometheus_spec: dict[str, Any] = {
        "scrapeInterval": project.stack.scrape_interval, "evaluationInterval": project.stack.evaluation_interval,
        "externalLabels": dict(project.stack.external_labels), "ruleSelector": {"matchLabels": kube.rule_labels},
        # with all four selectors null the operator leaves the configuration unmanaged: no scrapes, no rules, no
        # Alertmanagers. These select the monitors of its namespace labelled for it, not kube-prometheus' beside it.
        **{selector: {"matchLabels": kube.monitor_labels} if kube.monitor_labels else {}
           for selector in MONITOR_SELECTORS},
        # the definitions' scrape jobs, their compose hosts discovered in the cluster: the job names every alert and
        # panel select on
        "additionalScrapeConfigs": {"name": account + "-scrape-configs", "key": SCRAPE_CONFIGS_KEY},
        "serviceAccountName": account,  # discovers the Alertmanager replicas (and monitors) in its namespace
        "serviceDiscoveryRole": SERVICE_DISCOVERY_ROLE,  # the Endpoints default needs a grant of v1 Endpoints too
        # obsgen's Alertmanager's Service lists each of its replicas (not the governing alertmanager-operated,
        # which lists every Alertmanager of the namespace): Prometheus sends to each one
        "alerting": {"alertmanagers": [{"namespace": kube.namespace, "name": server_service(kube, ALERTMANAGER),
                                        "port": "web"}]},
        "rules": {"alert": {"forGracePeriod": state.grace_period, "forOutageTolerance": state.outage_tolerance}},
        "enableFeatures": list(PROMETHEUS_FEATURES),  # as compose and the live stack run it: exemplars kept
        "enableRemoteWriteReceiver": True,  # as compose runs it: Tempo's metrics-generator and Loki's ruler write
        "externalUrl": project.stack.prometheus_url,  # each alert's source link, not the pod's name
    }
    if project.retention is not None:
        prometheus_spec["retention"] = project.retention.server_retention
    remote_write = remote_writes(kube, rendered[conventions.PROMETHEUS_CONFIG])
    if remote_write:
        prometheus_spec["remoteWrite"] = remote_write
    prometheus_spec["retentionSize"] = retention_size(kube.prometheus_storage)
    prometheus_spec["storage"] = _storage(kube, kube.prometheus_storage)
    alertmanager_spec: dict[str, Any] = {"replicas": len(project.stack.alertmanagers),
                                         "secrets": [kube.credentials_secret],
                                         "externalUrl": project.stack.alertmanager_url,  # the notifications' links
                                         # the release whose UI the links are escaped for (the operator's
                                         # default image otherwise, whatever its UI reads)
                                         "version": f"v{project.stack.alertmanager_version}",
                                         "storage": _storage(kube, kube.alertmanager_storage)}
    delay = start_delay(project)
    if delay is not None:
        # every replica holds its first notifications until the rulers have re-sent what inhibits them (named
        # here for operators before 0.88.0, which do not derive it from minReadySeconds)
        alertmanager_spec["additionalArgs"] = [{"name": "dispatch.start-delay", "value": delay}]
        # and a rolling update restarts the next replica only once this one has held that long: otherwise the
        # next goes down as soon as this one is ready, and for up to the delay no replica notifies anyone
        alertmanager_spec["minReadySeconds"] = math.ceil(longest_resend(project))
    if kube.alertmanager == "alertmanagerconfig":
        alertmanager_spec["alertmanagerConfigSelector"] = {"matchLabels": MANAGED_BY}
        # by default the operator adds namespace="<its namespace>" to an AlertmanagerConfig's routes, which no
        # alert of the PrometheusRules carries: nothing would be routed. One in Alertmanager's own namespace (this
        # one) is the installation's, and may route every alert.
        alertmanager_spec["alertmanagerConfigMatcherStrategy"] = {"type": "OnNamespaceExceptForAlertmanagerNamespace"}
    prometheus = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
                  "metadata": metadata(kube, kube.prometheus_name), "spec": prometheus_spec}
    alertmanager = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager",
                    "metadata": metadata(kube, kube.alertmanager_name), "spec": alertmanager_spec}
    return {
        f"{DIR}/prometheus/prometheus.yaml": prometheus,
        **prometheus_access(project, kube, namespaces),
        f"{DIR}/prometheus/scrape-configs-secret.yaml": {
            "apiVersion": "v1", "kind": "Secret", "metadata": metadata(kube, account + "-scrape-configs"),
            "type": "Opaque", "stringData": {SCRAPE_CONFIGS_KEY: serialise(SCRAPE_CONFIGS_KEY, scraped).decode()}},
        f"{DIR}/alertmanager/alertmanager.yaml": alertmanager,
        **server_services(kube, DIR),
        **disruption_budget(kube, prometheus), **disruption_budget(kube, alertmanager),
    }


Builder = Callable[[Project, Kubernetes, Rendered], dict[str, Any]]
OBJECT_BUILDERS: tuple[Builder, ...] = (prometheus_rules, alertmanager_objects, dashboard_config_maps,
                                         datasources_config_map, servers)
"""Each returns {path: Kubernetes object}."""


def render(project: Project, rendered: Rendered) -> dict[str, Any]:
    """Every Kubernetes object packaging what the targets rendered, one file each, and the kustomization."""
    kube = settings(project)
    if kube is None:
        return {}
    files: dict[str, Any] = {}
    for builder in OBJECT_BUILDERS:
        files |= builder(project, kube, rendered)
    resources = sorted(posixpath.relpath(path, DIR) for path in files)
    files[f"{DIR}/kustomization.yaml"] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources,
    }
    return files
