"""A build replaces out/ as a whole, and a bind mount holds the directory it was given, not its path: a running
compose stack's mounts of out/ are the old directories, emptied, after any build that changes a file. The README
tells to recreate the containers after a build."""

from __future__ import annotations

import os
from pathlib import Path

from generator.package.tree import write_tree
from tests.gitops.helpers import ROOT


def test_a_build_empties_the_directory_a_running_container_mounted_and_the_readme_says_to_recreate(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"prometheus/prometheus.yml": b"global: {}\n", "loki/rules/fake/log-alerts.yaml": b"groups: []\n"}, out)
    mounted = os.open(out / "prometheus", os.O_RDONLY | os.O_DIRECTORY)  # what `../out/prometheus:/etc/prometheus`
    try:                                                                # holds: the directory, found once
        write_tree({"prometheus/prometheus.yml": b"global: {scrape_interval: 30s}\n",
                    "loki/rules/fake/log-alerts.yaml": b"groups: []\n"}, out)
        assert os.listdir(mounted) == []  # Prometheus' /etc/prometheus after the build: a reload finds no file
    finally:
        os.close(mounted)
    assert (out / "prometheus/prometheus.yml").read_text() == "global: {scrape_interval: 30s}\n"
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### The compose stack"):].split("\n## ", 1)[0]
    assert "docker compose -f stacks/docker-compose.yml up -d --force-recreate" in section
