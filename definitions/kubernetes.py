"""Deployment on Kubernetes with prometheus-operator: out/kubernetes/ holds PrometheusRules and Alertmanager config."""

from generator.model import Kubernetes

KUBERNETES = Kubernetes(
    namespace="monitoring",
    rule_labels={"prometheus": "k8s", "role": "alert-rules"},  # kube-prometheus' Prometheus selects these
    alertmanager="secret",  # alertmanager.yaml in Secret alertmanager-main, the Alertmanager resource's default
    alertmanager_name="main",
    credentials_secret="alertmanager-credentials",
)
