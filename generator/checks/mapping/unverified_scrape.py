"""A scrape job accepts any certificate its targets present (tls_config insecure_skip_verify).

Prometheus then encrypts the scrape but never asks who answers: anyone between it and the target may answer in
the target's place, reading the job's credentials (its basic auth password or bearer token, sent with every scrape)
and writing the series its alerts read. prometheus.yml says so nowhere else, and promtool accepts it.

Fix: verify the certificate: `tls_config=ScrapeTLS(ca_file=..., server_name=...)`, the CA that signed the targets'
certificates (a self-signed one is its own CA) and, where the target's address is not a name on it, the name that
is. A job's `cluster=ClusterEndpoint(insecure_skip_verify=True)` is not said: kube-prometheus' ServiceMonitors
accept kube-rbac-proxy's self-signed certificate so, inside the cluster's network.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks.base import Context, Finding
from generator.core.errors import Level

CODE = "MP022"
NAME = "unverified-scrape"
LEVEL = Level.WARNING


def check(context: Context) -> Iterator[Finding]:
    for job in context.project.scrape_jobs:
        if job.tls_config is not None and job.tls_config.insecure_skip_verify:
            sent = ("its basic auth password" if job.basic_auth else "its bearer token" if job.authorization
                    else "nothing secret yet")
            yield Finding(job, f"scrape job {job.name}: tls_config insecure_skip_verify accepts any certificate: "
                               f"whoever answers at {', '.join(job.targets)} is scraped as the target (sent "
                               f"{sent}, its series believed); give the CA verifying it as ca_file "
                               "(and server_name)", ("tls_config", "insecure_skip_verify"))
