"""Tempo writes every path of out/tempo/tempo.yaml (WAL, blocks, the metrics-generator's) on the tempo-data volume,
mounted on the directory the pinned image gives its user: an empty named volume starts with that directory's owner
and mode, so Tempo (uid 10001) can create its subdirectories. On a path the image lacks the volume would be
root-owned and Tempo would stop at "mkdir /var/tempo/blocks: permission denied" (grafana/tempo#3601).

The 2.10 image's directory: grafana/tempo's cmd/tempo/Dockerfile since busybox was removed
(https://github.com/grafana/tempo/pull/5717, 2025-10-08; its chmod restored by
https://github.com/grafana/tempo/pull/5754, 2025-10-15; both before the 2.10.0-rc.0 changelog of 2026-01-15,
https://github.com/grafana/tempo/pull/6226) builds the distroless image with
`COPY --from=tempo-setup --chown=10001:10001 --chmod=0700 /var/tempo /var/tempo`, then `USER 10001:10001` (the file as
carried by forks: github.com/Kunalbehbud/tempo ddfcf221 and github.com/mattdurham/tempo 213afe7c, cmd/tempo/Dockerfile).
A Tempo of another minor release must be checked again (its Dockerfile), and this table updated.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import yaml

from tests.gitops.compose_mounts import compose_document, mounts
from tests.gitops.helpers import ROOT

IMAGE_DATA_DIRECTORY = {"grafana/tempo:2.10.": PurePosixPath("/var/tempo")}
"""Per pinned release (a tag prefix): the directory its image creates owned by the user Tempo runs as."""


def storage_paths(node: Any) -> list[PurePosixPath]:
    """Every `path:` of a Tempo configuration."""
    if isinstance(node, dict):
        return [PurePosixPath(value) for key, value in node.items() if key == "path" and isinstance(value, str)] + [
            path for value in node.values() for path in storage_paths(value)]
    if isinstance(node, list):
        return [path for value in node for path in storage_paths(value)]
    return []


def test_tempo_writes_only_on_its_volume_mounted_on_the_image_s_own_data_directory() -> None:
    service = compose_document()["services"]["tempo"]
    base = service["build"]["args"]["BASE"]
    directory = next((path for tag, path in IMAGE_DATA_DIRECTORY.items() if base.startswith(tag)), None)
    assert directory, f"{base}: check which data directory its image gives uid 10001, then add it here"
    volume = [mount for mount in mounts(service) if mount.target == directory and not (mount.bind or mount.read_only)]
    assert volume, f"no writable named volume on {directory}"
    paths = storage_paths(yaml.safe_load((ROOT / "out/tempo/tempo.yaml").read_text()))
    assert paths
    outside = [str(path) for path in paths if directory not in path.parents]
    assert not outside, f"Tempo writes outside {directory} (root-owned or read-only there): {outside}"
