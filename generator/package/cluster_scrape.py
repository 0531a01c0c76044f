"""prometheus.yml's scrape configs as the Prometheus resource's additionalScrapeConfigs: compose hosts replaced by
discovery of the Services standing for them (generator.derive.cluster_addresses).

A Service's DNS name would reach one pod per scrape, whichever it balances to; discovery scrapes every pod, as a
ServiceMonitor does: endpointslice discovery in the Service's namespace, kept by namespace, Service name and port,
the port given as a ServiceMonitor endpoint gives it (prometheus-operator's promcfg.go keeps `port` by
__meta_kubernetes_endpointslice_port_name). An EndpointSlice lists the pods' port (the Service's targetPort
resolved) under the Service port's name; the Service port's number is in no label. So a name keeps by the
endpoint's port name, a number by the endpoint's port, which is also the port scraped (`__address__` is the pod's
address and it). The job name and labels stay prometheus.yml's, which every alert and panel select on; as a
ServiceMonitor's, each target is labelled with its namespace and pod. A job's ScrapeJob.cluster says how the
cluster's endpoints are reached where not as compose's (https, TLS, a bearer token file), as a ServiceMonitor
endpoint's scheme, tlsConfig and bearerTokenFile do; credentials stay files in Prometheus' pod.
"""

from __future__ import annotations

from typing import Any

from generator.derive.cluster_addresses import Service, job_server, service, split_address
from generator.model import Kubernetes
from generator.model.project import Project
from generator.targets.prometheus import CLIENT_SETTINGS, client_settings

DISCOVERY_ROLE = "endpointslice"  # discovery.k8s.io/v1 since Kubernetes 1.21; v1 Endpoints are deprecated
KEPT_BY = ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name",
           "__meta_kubernetes_endpointslice_port"]
POD_LABELS = tuple({"source_labels": [f"__meta_kubernetes_{source}"], "target_label": label}
                   for source, label in (("namespace", "namespace"), ("pod_name", "pod")))
"""The labels a ServiceMonitor's targets carry, which name the pod where the instance is only its IP."""
STATIC = ";;;"  # names and ports are DNS labels and digits: nothing to escape in the keep regex
"""What KEPT_BY joins to for a static target (no discovery labels): kept too, in a job with both kinds."""


def kept(found: Service, port: int) -> str:
    """The keep regex' alternative for the endpoints a Service stands for (a compose target at port): at the port
    name, whatever the pods' port; at the pods' port, whatever its name (a Service's only port may have none)."""
    endpoint = found.endpoint or port
    if isinstance(endpoint, str):
        return f"{found.namespace};{found.name};{endpoint};[0-9]+"
    return f"{found.namespace};{found.name};[^;]*;{endpoint}"


def _in_cluster(entry: dict[str, Any], kube: Kubernetes, server: str | None) -> tuple[dict[str, Any], set[str]]:
    """One scrape config with its compose targets discovered in the cluster, and the namespaces it discovers in."""
    static: list[dict[str, Any]] = []
    alternatives: list[str] = []
    namespaces: set[str] = set()
    labels: dict[str, str] = {}
    for config in entry.get("static_configs", []):
        targets = []
        for target in config["targets"]:
            host, port = split_address(target)
            found = service(kube, host, server, port)
            if found is None:  # resolves in the cluster as it is (or XR022 has refused the build)
                targets.append(target)
                continue
            namespaces.add(found.namespace)
            alternatives.append(kept(found, port))
            labels |= config.get("labels", {})
        if targets:
            static.append({**config, "targets": targets})
    scrape = {key: value for key, value in entry.items() if key != "static_configs"}
    if alternatives:
        alternatives = list(dict.fromkeys(alternatives)) + ([STATIC] if static else [])
        scrape["kubernetes_sd_configs"] = [{"role": DISCOVERY_ROLE, "namespaces": {"names": sorted(namespaces)}}]
        scrape["relabel_configs"] = [
            {"source_labels": KEPT_BY, "regex": "|".join(alternatives), "action": "keep"},
            *POD_LABELS,
            *({"target_label": name, "replacement": value} for name, value in sorted(labels.items())),
            *entry.get("relabel_configs", []),  # the job's own, on the labels it would have had
        ]
    if static:
        scrape["static_configs"] = static
    return scrape, namespaces


def scrape_configs(project: Project, kube: Kubernetes, rendered: list[dict[str, Any]]) -> tuple[
        list[dict[str, Any]], set[str]]:
    """prometheus.yml's scrape configs for the cluster, and every namespace they discover in."""
    jobs = {job.name: job for job in project.scrape_jobs}
    configs, namespaces = [], set()
    for entry in rendered:
        job = jobs.get(entry["job_name"])
        config, found = _in_cluster(entry, kube, job_server(job) if job else None)
        if job is not None:  # its own scheme, TLS and credentials, or cluster's in their place
            config = {key: value for key, value in config.items() if key not in CLIENT_SETTINGS}
            config |= client_settings(job.in_cluster)
        configs.append(config)
        namespaces |= found
    return configs, namespaces
