"""How out/kubernetes/ packages the configuration for prometheus-operator and the Grafana sidecar."""

import re
from typing import Literal

from pydantic import Field, field_validator

from generator.model.base import Definition

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUANTITY = re.compile(r"^([1-9][0-9]*)(Mi|Gi|Ti)$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


class Kubernetes(Definition):
    """Namespace, selector labels and the form of the Alertmanager configuration for prometheus-operator."""

    namespace: str = Field(default="monitoring", description="Namespace of every object.")
    rule_labels: dict[str, str] = Field(
        default_factory=lambda: {"prometheus": "k8s", "role": "alert-rules"},
        description="Labels on each PrometheusRule, matched by the Prometheus resource's ruleSelector.",
    )
    alertmanager: Literal["secret", "alertmanagerconfig"] = Field(
        default="secret",
        description="'secret': alertmanager.yaml in the Alertmanager resource's config Secret; "
                    "'alertmanagerconfig': an AlertmanagerConfig resource.",
    )
    alertmanager_name: str = Field(
        default="main", description="Name of the Alertmanager resource; its config Secret is alertmanager-<name>."
    )
    servers: bool = Field(
        default=True,
        description="Also write the Prometheus and Alertmanager resources: Alertmanager with a replica per "
                    "Stack.alertmanagers entry (a clustered pair), Prometheus restoring alerts' for state; False "
                    "when another installation (kube-prometheus) owns them.",
    )
    prometheus_name: str = Field(default="k8s", description="Name of the Prometheus resource.")
    prometheus_storage: str = Field(default="50Gi", description=(
        "Size (Mi, Gi or Ti) of Prometheus' PersistentVolumeClaim: its samples, WAL and alerts' `for` state outlive "
        "the pod (an emptyDir loses them at every restart); its retentionSize keeps the TSDB 10% below it."))
    alertmanager_storage: str = Field(default="1Gi", description=(
        "Size of each Alertmanager replica's claim: its notification log and silences outlive the pod."))
    storage_class: str = Field(default="", description="StorageClass of the claims; empty: the cluster's default.")
    credentials_secret: str = Field(
        default="alertmanager-credentials",
        description="Secret whose keys, named like the files channels reference (*_file), hold the credentials.",
    )
    dashboard_labels: dict[str, str] = Field(
        default_factory=lambda: {"grafana_dashboard": "1"},
        description="Labels on each dashboard ConfigMap, matched by the Grafana sidecar's LABEL (and LABEL_VALUE).",
    )
    folder_annotation: str = Field(
        default="k8s-sidecar-target-directory",
        description="Annotation naming a dashboard's folder: the sidecar's FOLDER_ANNOTATION (the Grafana Helm "
                    "chart's sidecar.dashboards.folderAnnotation).",
    )

    @field_validator("namespace", "alertmanager_name", "credentials_secret", "prometheus_name")
    @classmethod
    def _dns_label(cls, name: str) -> str:
        if not DNS_LABEL.match(name) or len(name) > 63:
            raise ValueError(f"{name!r} is not a Kubernetes name (lower-case letters, digits and '-', at most 63)")
        return name

    @field_validator("prometheus_storage", "alertmanager_storage")
    @classmethod
    def _quantity(cls, size: str) -> str:
        if not QUANTITY.match(size):
            raise ValueError(f"{size!r} is not a size in Mi, Gi or Ti (e.g. 50Gi)")
        return size

    @field_validator("storage_class")
    @classmethod
    def _storage_class(cls, name: str) -> str:
        if name and (len(name) > 253 or not all(DNS_LABEL.match(part) for part in name.split("."))):
            raise ValueError(f"{name!r} is not a StorageClass name (a DNS subdomain)")
        return name

    @field_validator("rule_labels", "dashboard_labels", "folder_annotation")
    @classmethod
    def _keys(cls, value: dict[str, str] | str) -> dict[str, str] | str:
        for key in value if isinstance(value, dict) else (value,):
            if not LABEL_KEY.match(key):
                raise ValueError(f"{key!r} is not a Kubernetes label or annotation key")
        return value
