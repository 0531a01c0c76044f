"""Checks over what out/kubernetes/ names: the packaging's settings and every address, each with the Service
standing for its host (generator.derive.cluster_addresses.packaged_addresses), read once here rather than by each
check; a project not packaged for Kubernetes has nothing to say."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from generator.checks.base import Context, Finding
from generator.derive.cluster_addresses import Address, Service, packaged_addresses
from generator.model import Kubernetes, ScrapeJob

Served = list[tuple[Address, Service | None]]
"""Every packaged address with the Service standing for its host (None: kept as it is, or none can)."""
PackagedCheck = Callable[[Kubernetes, Served], Iterator[Finding]]


def over_packaged_addresses(find: PackagedCheck) -> Callable[[Context], Iterator[Finding]]:
    """A check module's `check(context)` from a function of the Kubernetes settings and the packaged addresses."""
    @functools.wraps(find)
    def check(context: Context) -> Iterator[Finding]:
        packaged = packaged_addresses(context.project)
        if packaged is not None:
            yield from find(*packaged)
    return check


def grouped_uses(served: Served, key: Callable[[Address, Service], str | None]) -> list[tuple[str, list[str]]]:
    """What names each address (Address.what), grouped under the key of its Service, sorted by key: the addresses
    with a Service whose key is not None."""
    groups: dict[str, list[str]] = {}
    for address, found in served:
        named = found and key(address, found)
        if named:
            groups.setdefault(named, []).append(address.what)
    return sorted(groups.items())


def token_scrapes(served: Served) -> list[tuple[ScrapeJob, list[str]]]:
    """The scrape jobs sending a bearer token file in the cluster, each with what its targets reach: the Services'
    DNS names, or the host where it is kept as it is."""
    jobs: dict[str, tuple[ScrapeJob, list[str]]] = {}
    for address, found in served:
        if isinstance(address.at, ScrapeJob) and address.at.cluster.bearer_token_file:
            reached = jobs.setdefault(address.at.name, (address.at, []))[1]
            reached.append(found.dns if found else address.host)
    return [(job, list(dict.fromkeys(reached))) for job, reached in jobs.values()]
