"""How out/kubernetes/ packages the configuration for prometheus-operator and the Grafana sidecar."""

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from generator.model.base import Definition, Model, checked
from generator.model.secrets import reject_inline_secrets

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUANTITY = re.compile(r"^([1-9][0-9]*)(Mi|Gi|Ti)$")
KubernetesName = Annotated[str, checked(lambda name: DNS_LABEL.match(name) and len(name) <= 63,
                                         "a Kubernetes name (lower-case letters, digits and '-', at most 63)")]
Size = Annotated[str, checked(QUANTITY.match, "a size in Mi, Gi or Ti (e.g. 50Gi)")]
StorageClassName = Annotated[str, checked(
    lambda name: not name or (len(name) <= 253 and all(DNS_LABEL.match(part) for part in name.split("."))),
    "a StorageClass name (a DNS subdomain)")]
OWN_NAME = "obsgen"
"""The servers' names when obsgen writes them: its own, so that applied beside kube-prometheus (Prometheus k8s,
Alertmanager main, ServiceAccount and Roles prometheus-k8s, Secret alertmanager-main in monitoring) it replaces none."""
KUBE_PROMETHEUS_SERVERS = {"prometheus_name": "k8s", "alertmanager_name": "main"}
"""kube-prometheus' Prometheus and Alertmanager, which servers=False configures and whose Services (prometheus-k8s,
alertmanager-main) Grafana's data sources then name."""
HOST = re.compile(r"^[\w.-]+(:\d+)?$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
PORT_NAME = re.compile(r"^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")
"""A Service port's name as Kubernetes validates it (IANA_SVC_NAME): at most 15 of a-z, 0-9 and '-', a letter
among them, no '-' at either end nor two together."""


@dataclass(frozen=True)
class ServiceRef:
    """A Kubernetes.services value: 'name', 'name.namespace', either with ':port'."""

    name: str
    namespace: str | None
    port: str | int | None
    """Which of the Service's endpoints are scraped, as a ServiceMonitor endpoint says it: a name is the Service
    port's (`port`), a number the pods' (`targetPort`); None: the compose address' port, taken for the pods'."""


def service_ref(text: str) -> ServiceRef:
    """A Kubernetes.services value read; ValueError saying what is wrong."""
    service, colon, port_text = text.partition(":")
    parts = service.split(".")
    if len(parts) > 2 or not all(DNS_LABEL.match(part) and len(part) <= 63 for part in parts):
        raise ValueError(f"{service!r} is not 'name' or 'name.namespace' of a Service")
    port: str | int | None = None
    if colon and port_text.isdigit() and 0 < int(port_text) < 65536:
        port = int(port_text)
    elif colon and PORT_NAME.match(port_text):
        port = port_text
    elif colon:
        raise ValueError(f"{port_text!r} is neither a port number (1-65535) nor a Service port's name (at most "
                         "15 of a-z, 0-9 and '-', a letter among them)")
    return ServiceRef(parts[0], parts[1] if len(parts) == 2 else None, port)


SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
"""Where Kubernetes mounts a pod's ServiceAccount token: what kube-prometheus' ServiceMonitors send kube-rbac-proxy."""
PodPath = Annotated[str, checked(lambda path: not path or (path.startswith("/") and "\n" not in path),
                                 "an absolute file path in Prometheus' pod")]


class ClusterEndpoint(Model):
    """How a scrape job reaches its targets in the cluster, as a ServiceMonitor endpoint says it (scheme, tlsConfig,
    bearerTokenFile): behind kube-rbac-proxy an exporter serves https and wants Prometheus' token. Credentials are
    files in Prometheus' pod, never values: out/ names the path only."""

    scheme: Literal["http", "https"] = Field(default="http", description="The endpoint's scheme.")
    bearer_token_file: PodPath = Field(default="", description=(
        "File whose content Prometheus sends as `Authorization: Bearer` (authorization.credentials_file): "
        f"{SERVICE_ACCOUNT_TOKEN} is its ServiceAccount's token, which kube-rbac-proxy checks."))
    ca_file: PodPath = Field(default="", description="CA certificate verifying the targets' (tls_config.ca_file).")
    server_name: str = Field(default="", description="Name the targets' certificate must carry (tls_config).")
    insecure_skip_verify: bool = Field(default=False, description=(
        "Accept any certificate, as kube-prometheus' ServiceMonitors do for kube-rbac-proxy's self-signed one."))

    @model_validator(mode="before")
    @classmethod
    def _no_typed_secret(cls, data: Any) -> Any:
        """A secret typed as server_name or a file's path is refused at its line, as ScrapeJob.in_cluster's ScrapeTLS
        and ScrapeAuthorization would refuse it while packaging (an unknown field, bearer_token, is pydantic's)."""
        if isinstance(data, dict):
            reject_inline_secrets({key: value for key, value in data.items() if key in cls.model_fields})
        return data

    @model_validator(mode="after")
    def _tls_needs_https(self) -> "ClusterEndpoint":
        if self.scheme != "https" and (self.ca_file or self.server_name or self.insecure_skip_verify):
            raise ValueError("ca_file, server_name and insecure_skip_verify configure TLS: they need scheme='https'")
        if self.insecure_skip_verify and self.ca_file:
            raise ValueError("insecure_skip_verify accepts any certificate: a ca_file beside it verifies nothing")
        return self


class Kubernetes(Definition):
    """Namespace, selector labels and the form of the Alertmanager configuration for prometheus-operator."""

    namespace: KubernetesName = Field(default="monitoring", description="Namespace of every object.")
    rule_labels: dict[str, str] = Field(
        default_factory=lambda: {"prometheus": OWN_NAME, "role": "alert-rules"},
        description="Labels on each PrometheusRule, matched by the Prometheus resource's ruleSelector (not "
                    "kube-prometheus' own rules' prometheus: k8s, which obsgen's Prometheus would evaluate too).",
    )
    monitor_labels: dict[str, str] = Field(
        default_factory=lambda: {"prometheus": OWN_NAME},
        description="Labels a ServiceMonitor, PodMonitor, Probe or ScrapeConfig of the namespace must carry for "
                    "obsgen's Prometheus to scrape it, as kube-prometheus-stack's release label (obsgen's own scrape "
                    "jobs need none); {} selects every one, kube-prometheus' own among them, scraped twice then.",
    )
    alertmanager: Literal["secret", "alertmanagerconfig"] = Field(
        default="secret",
        description="'secret': alertmanager.yaml in the Alertmanager resource's config Secret; "
                    "'alertmanagerconfig': an AlertmanagerConfig resource.",
    )
    alertmanager_name: KubernetesName = Field(default=OWN_NAME, description=(
        "Name of the Alertmanager resource; its config Secret and its Service (the Grafana data source's and "
        "Prometheus' alerting address) are alertmanager-<name>. Unset: obsgen's own (obsgen) when it writes the "
        "servers, else kube-prometheus' (main), whose config Secret out/kubernetes/ then is."))
    servers: bool = Field(
        default=True,
        description="Also write the Prometheus and Alertmanager resources: Alertmanager with a replica per "
                    "Stack.alertmanagers entry (a clustered pair), Prometheus restoring alerts' for state; False "
                    "when another installation (kube-prometheus) owns them.",
    )
    prometheus_name: KubernetesName = Field(default=OWN_NAME, description=(
        "Name of the Prometheus resource; its ServiceAccount, Roles, scrape configs Secret and Service (the Grafana "
        "data source's address) are prometheus-<name>. Unset: obsgen's own (obsgen) when it writes the servers, "
        "else kube-prometheus' (k8s), whose Service prometheus-k8s the data source then names."))
    prometheus_storage: Size = Field(default="50Gi", description=(
        "Size (Mi, Gi or Ti) of Prometheus' PersistentVolumeClaim: its samples, WAL and alerts' `for` state outlive "
        "the pod (an emptyDir loses them at every restart); its retentionSize keeps the TSDB 10% below it."))
    alertmanager_storage: Size = Field(default="1Gi", description=(
        "Size of each Alertmanager replica's claim: its notification log and silences outlive the pod."))
    storage_class: StorageClassName = Field(default="", description=(
        "StorageClass of the claims; empty: the cluster's default."))
    services: dict[str, str] = Field(default_factory=dict, description=(
        "The Service each docker-compose host (or host:port, to tell apart components on one host) of the "
        "definitions is in the cluster, as 'name' (in namespace) or 'name.namespace', then optionally ':port' "
        "as a ServiceMonitor endpoint names it: the Service port's name (`port`) or the pods' port number "
        "(`targetPort`): {'node-exporter': 'node-exporter.monitoring:metrics', 'localhost:8000': 'api.shop:8080'}. "
        "Scrape jobs discover the Service's pods (endpointslice discovery) and keep the endpoints at that port, "
        "else at the target's compose port (the container's, taken for the pods' in the cluster). Grafana's data "
        "sources and remote write go through the Service's DNS name, at the Service port service_ports gives. "
        "Prometheus "
        "and Alertmanager default to their own Services, prometheus-<prometheus_name> and "
        "alertmanager-<alertmanager_name> (port web), never the operator's prometheus-operated and "
        "alertmanager-operated, which list every server of the namespace (MP021); any other host to a Service of "
        "its own name in namespace (said by MP015)."))
    service_ports: dict[str, int] = Field(default_factory=dict, description=(
        "The Service port a URL to a compose host (or host:port) of services reaches in the cluster, where a Service "
        "may listen on another port than its pods (the Grafana chart's Service on 80 in front of 3000): "
        "{'grafana': 80, 'loki': 3100}. Grafana's data sources and remote write go there; a URL to a host without "
        "one keeps its compose port, taken for the Service's (said by MP017). The servers' own Services need none: "
        "their web ports are 9090 and 9093."))
    credentials_secret: KubernetesName = Field(
        default="alertmanager-credentials",
        description="Secret whose keys, named like the files channels reference (*_file), hold the credentials.",
    )
    dashboard_labels: dict[str, str] = Field(
        default_factory=lambda: {"grafana_dashboard": "1"},
        description="Labels on each dashboard ConfigMap, matched by the Grafana sidecar's LABEL (and LABEL_VALUE).",
    )
    datasource_labels: dict[str, str] = Field(
        default_factory=lambda: {"grafana_datasource": "1"},
        description="Labels on the data sources' ConfigMap, matched by the Grafana sidecar's datasources LABEL (and "
                    "LABEL_VALUE): the Grafana Helm chart's sidecar.datasources.label, grafana_datasource by default.",
    )
    default_datasource: bool = Field(default=False, description=(
        "Make the Prometheus data source Grafana's default (isDefault), only when asked: a Grafana installation "
        "may provision a default of its own (kube-prometheus-stack's sidecar.datasources.defaultDatasourceEnabled), "
        "and Grafana refuses two defaults in one organisation, provisioning no data source at all (MP016)."))
    folder_annotation: str = Field(
        default="k8s-sidecar-target-directory",
        description="Annotation naming a dashboard's folder: the sidecar's FOLDER_ANNOTATION (the Grafana Helm "
                    "chart's sidecar.dashboards.folderAnnotation).",
    )

    @model_validator(mode="before")
    @classmethod
    def _installation_alertmanager(cls, data: object) -> object:
        """Without servers, the Secret configures the installation's Alertmanager and the data sources name the
        installation's servers' Services: kube-prometheus' unless named."""
        if isinstance(data, dict) and data.get("servers") is False:
            return {**KUBE_PROMETHEUS_SERVERS, **data}
        return data

    @field_validator("services")
    @classmethod
    def _services(cls, services: dict[str, str]) -> dict[str, str]:
        for host, target in services.items():
            if not HOST.match(host):
                raise ValueError(f"{host!r} is not a host or host:port")
            try:
                service_ref(target)
            except ValueError as error:
                raise ValueError(f"service of {host!r}: {error}") from None
        return services

    @model_validator(mode="after")
    def _service_ports(self) -> "Kubernetes":
        for key, port in self.service_ports.items():
            if not HOST.match(key):
                raise ValueError(f"service_ports: {key!r} is not a host or host:port")
            if not 0 < port < 65536:
                raise ValueError(f"service_ports: port of {key!r}: {port} is not a port number (1-65535)")
            if key not in self.services and key.rpartition(":")[0] not in self.services:
                raise ValueError(f"service_ports: {key!r} is no host of services: name its Service there")
        return self

    @field_validator("rule_labels", "monitor_labels", "dashboard_labels", "datasource_labels", "folder_annotation")
    @classmethod
    def _keys(cls, value: dict[str, str] | str) -> dict[str, str] | str:
        for key in value if isinstance(value, dict) else (value,):
            if not LABEL_KEY.match(key):
                raise ValueError(f"{key!r} is not a Kubernetes label or annotation key")
        return value
