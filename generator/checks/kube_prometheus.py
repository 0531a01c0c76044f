"""Every object kube-prometheus installs, by kind, namespace and name: what `kubectl apply` of an object of the same
three would take over, beside it.

kube-prometheus (prometheus-operator/kube-prometheus, snapshot 4d719f1) evaluated as its example.jsonnet builds
manifests/: main.libsonnet with namespace monitoring, every part of every component (its setup/ CRDs too). The
jsonnet default namespace is 'default', which no installation guide uses. tests/gitops/test_kube_prometheus_names.py
evaluates the jsonnet again and compares.
"""

from __future__ import annotations

NAMESPACE = "monitoring"
"""kube-prometheus' namespace: its example.jsonnet's and published manifests'."""
ObjectKey = tuple[str, str | None, str]
"""(kind, namespace, name); namespace None for a cluster-scoped object."""
_INSTALLED = """
APIService: v1beta1.metrics.k8s.io
Alertmanager monitoring: main
ClusterRole: blackbox-exporter kube-state-metrics node-exporter prometheus-adapter prometheus-k8s
    prometheus-operator resource-metrics-server-resources system:aggregated-metrics-reader
ClusterRoleBinding: blackbox-exporter kube-state-metrics node-exporter prometheus-adapter prometheus-k8s
    prometheus-operator resource-metrics:system:auth-delegator
ConfigMap monitoring: adapter-config blackbox-exporter-configuration grafana-dashboard-alertmanager-overview
    grafana-dashboard-apiserver grafana-dashboard-cluster-total grafana-dashboard-controller-manager
    grafana-dashboard-grafana-overview grafana-dashboard-k8s-resources-cluster
    grafana-dashboard-k8s-resources-multicluster grafana-dashboard-k8s-resources-namespace
    grafana-dashboard-k8s-resources-node grafana-dashboard-k8s-resources-nodes-overview
    grafana-dashboard-k8s-resources-pod grafana-dashboard-k8s-resources-windows-cluster
    grafana-dashboard-k8s-resources-windows-namespace grafana-dashboard-k8s-resources-windows-pod
    grafana-dashboard-k8s-resources-workload grafana-dashboard-k8s-resources-workloads-namespace
    grafana-dashboard-k8s-windows-cluster-rsrc-use grafana-dashboard-k8s-windows-node-rsrc-use
    grafana-dashboard-kubelet grafana-dashboard-namespace-by-pod grafana-dashboard-namespace-by-workload
    grafana-dashboard-node-cluster-rsrc-use grafana-dashboard-node-rsrc-use grafana-dashboard-nodes
    grafana-dashboard-nodes-aix grafana-dashboard-nodes-darwin grafana-dashboard-persistentvolumesusage
    grafana-dashboard-pod-total grafana-dashboard-prometheus grafana-dashboard-prometheus-remote-write
    grafana-dashboard-proxy grafana-dashboard-scheduler grafana-dashboard-workload-total grafana-dashboards
CustomResourceDefinition: alertmanagerconfigs.monitoring.coreos.com alertmanagers.monitoring.coreos.com
    podmonitors.monitoring.coreos.com probes.monitoring.coreos.com prometheusagents.monitoring.coreos.com
    prometheuses.monitoring.coreos.com prometheusrules.monitoring.coreos.com scrapeconfigs.monitoring.coreos.com
    servicemonitors.monitoring.coreos.com thanosrulers.monitoring.coreos.com
DaemonSet monitoring: node-exporter
Deployment monitoring: blackbox-exporter grafana kube-state-metrics prometheus-adapter prometheus-operator
Namespace: monitoring
NetworkPolicy monitoring: alertmanager-main blackbox-exporter grafana kube-state-metrics node-exporter
    prometheus-adapter prometheus-k8s prometheus-operator
PodDisruptionBudget monitoring: alertmanager-main prometheus-adapter prometheus-k8s
Prometheus monitoring: k8s
PrometheusRule monitoring: alertmanager-main-rules grafana-rules kube-prometheus-rules kube-state-metrics-rules
    kubernetes-monitoring-rules node-exporter-rules prometheus-k8s-prometheus-rules prometheus-operator-rules
Role default: prometheus-k8s
Role kube-system: prometheus-k8s
Role monitoring: prometheus-k8s prometheus-k8s-config
RoleBinding default: prometheus-k8s
RoleBinding kube-system: prometheus-k8s resource-metrics-auth-reader
RoleBinding monitoring: prometheus-k8s prometheus-k8s-config
Secret monitoring: alertmanager-main grafana-config grafana-datasources
Service monitoring: alertmanager-main blackbox-exporter grafana kube-state-metrics node-exporter prometheus-adapter
    prometheus-k8s prometheus-operator
ServiceAccount monitoring: alertmanager-main blackbox-exporter grafana kube-state-metrics node-exporter
    prometheus-adapter prometheus-k8s prometheus-operator
ServiceMonitor monitoring: alertmanager-main blackbox-exporter coredns grafana kube-apiserver
    kube-controller-manager kube-scheduler kube-state-metrics kubelet node-exporter prometheus-adapter
    prometheus-k8s prometheus-operator
"""
"""Lines of `Kind namespace: names` (`Kind: names` cluster-scoped), indented lines going on with more names."""


def _index(text: str) -> frozenset[ObjectKey]:
    keys: set[ObjectKey] = set()
    kind, namespace = "", None
    for line in text.strip().splitlines():
        names = line
        if not line.startswith(" "):
            head, _, names = line.partition(": ")
            kind, _, scope = head.partition(" ")
            namespace = scope or None
        keys.update((kind, namespace, name) for name in names.split())
    return frozenset(keys)


INSTALLED = _index(_INSTALLED)
