"""The collector tails JSON log files on the `app-logs` volume, which nothing in the stack writes: the application
does, joining the compose project (as `api`, the host Prometheus scrapes), and the README says how."""

from __future__ import annotations

from pathlib import PurePosixPath

import yaml

from tests.gitops.compose_mounts import compose_document, read_only_volumes, readme_compose_section
from tests.gitops.helpers import ROOT


def test_the_only_volume_nothing_in_the_stack_writes_is_the_collector_s_application_logs() -> None:
    assert read_only_volumes(compose_document()) == {"app-logs": {("otel-collector", PurePosixPath("/var/log/apps"))}}


def test_the_readme_tells_the_application_to_write_each_volume_nothing_in_the_stack_writes() -> None:
    """Without it the file_log receivers tail an empty volume: no log line, no log alert, and nothing says why."""
    section = " ".join(readme_compose_section().split())
    collector = yaml.safe_load((ROOT / "out/otelcol/config.yaml").read_text())
    tailed = [pattern for name, receiver in collector["receivers"].items() if name.startswith("file_log")
              for pattern in receiver["include"]]
    assert tailed
    for volume, readers in read_only_volumes(compose_document()).items():
        assert f"`{volume}`" in section, f"the README never names the volume {volume}"
        for _, target in readers:
            assert f"`{target}`" in section or f"`{target}/" in section, f"the README never says {target}"
    for pattern in tailed:
        assert f"`{pattern}`" in section, f"the README never says the application writes {pattern}"
