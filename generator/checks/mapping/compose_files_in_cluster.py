"""A scrape job's credential files are compose's, and out/kubernetes/' Prometheus has no such files.

A ScrapeJob without `cluster=` is scraped in the cluster as compose scrapes it, its tls_config, authorization and
basic_auth included: out/kubernetes/' scrape configs name the same files (`/etc/prometheus-secrets/api-password`).
The Prometheus resource out/kubernetes/ writes (Kubernetes(servers=True)) mounts no Secret holding them, and which
Secret would hold a file the definitions cannot say (the operator mounts a Secret of spec.secrets at
/etc/prometheus/secrets/<name>/, compose mounts its files elsewhere). In the pod the files are missing: a missing
password_file or credentials_file fails every scrape of the job (up 0, the job's alerts blind), a missing ca_file,
cert_file or key_file stops its scrape pool. Nothing at build time can tell: the files are looked for in the pod.

    ScrapeJob(name="api", ..., scheme="https",
              basic_auth=ScrapeBasicAuth(username="shop", password_file="/etc/prometheus-secrets/api-password"))

Fix: say how the cluster reaches the job, `cluster=ClusterEndpoint(scheme="https", bearer_token_file=...,
ca_file=...)`, with files the pod has (its ServiceAccount's token: SERVICE_ACCOUNT_TOKEN); where the pod has the
job's files by other means (a Secret the Prometheus resource is patched to mount at the same paths), switch MP024
off at the job, saying how.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level
from generator.model import Kubernetes, ScrapeJob

CODE = "MP024"
NAME = "compose-files-in-cluster"
LEVEL = Level.WARNING

Field_ = tuple[str, str]


def credential_files(job: ScrapeJob) -> list[tuple[Field_, str]]:
    """The files the job's scrape reads, each with its field (tls_config's, authorization's, basic_auth's)."""
    settings = (("tls_config", job.tls_config, ("ca_file", "cert_file", "key_file")),
                ("authorization", job.authorization, ("credentials_file",)),
                ("basic_auth", job.basic_auth, ("password_file",)))
    return [((name, key), getattr(value, key)) for name, value, keys in settings if value is not None
            for key in keys if getattr(value, key)]


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    kube = next(iter(project.all(Kubernetes)), None)
    if kube is None or not kube.servers:
        return
    for job in project.scrape_jobs:
        files = credential_files(job)
        if not files or job.in_cluster is not job:  # cluster= says how the pod scrapes it, with its own files
            continue
        named = ", ".join(f"{path} ({field} {key})" for (field, key), path in files)
        yield Finding(job, f"kubernetes: scrape job {job.name} has no cluster=, so out/kubernetes/' Prometheus reads "
                           f"compose's files {named}, and its resource mounts no Secret holding them: every scrape "
                           "of the job fails there; give cluster=ClusterEndpoint(...) with files the pod has",
                      files[0][0])
