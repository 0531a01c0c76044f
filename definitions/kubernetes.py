"""Deployment on Kubernetes with prometheus-operator: out/kubernetes/ holds PrometheusRules and Alertmanager config."""

from generator.model import Kubernetes

KUBERNETES = Kubernetes(  # obsgen: disable=MP016 our Grafana is the Grafana chart's, which provisions no data source
    namespace="monitoring",
    # obsgen's Prometheus selects these, not kube-prometheus' own rules (prometheus: k8s); kube-prometheus'
    # Prometheus, if it runs beside, selects every rule
    rule_labels={"prometheus": "obsgen", "role": "alert-rules"},
    alertmanager="secret",  # alertmanager.yaml in Secret alertmanager-obsgen, the Alertmanager resource's default
    # the servers are obsgen's own: Prometheus and Alertmanager obsgen, not kube-prometheus' k8s and main
    prometheus_name="obsgen",
    alertmanager_name="obsgen",
    credentials_secret="alertmanager-credentials",
    default_datasource=True,  # the only data sources this Grafana has: Prometheus is its default, as in compose
    # the Service each compose host is in the cluster (Prometheus and Alertmanager: the operator's own Services)
    services={
        "node-exporter": "node-exporter",  # kube-prometheus' DaemonSet, in monitoring
        "grafana": "grafana",
        "obsgen-exporter": "obsgen-exporter",
        "otel-collector": "otel-collector",
        "tempo": "tempo",
        "jaeger": "jaeger",
        "loki": "loki.logging",
        "api": "api.shop",  # the application's own namespace
    },
    # the port each Service listens on, which Grafana's data sources go to: the Loki chart's Service serves
    # http-metrics on 3100, the Tempo chart's tempo-prom-metrics on 3200 (3100 before its 1.x charts)
    service_ports={"loki": 3100, "tempo": 3200},
)
