"""Every file a compose server's configuration names is in out/ where the service's mounts put it; the credentials
it names are the operator's, listed in the README and kept out of git."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.gitops.compose_mounts import (
    compose_document,
    operator_files,
    problems,
    readme_compose_section,
    references,
)
from tests.gitops.helpers import ROOT

CONFIGURED = {"prometheus", "alertmanager-1", "alertmanager-2", "grafana", "loki", "tempo", "otel-collector",
              "obsgen-exporter"}  # jaeger and node-exporter read no file of out/


def test_every_path_a_server_s_configuration_names_is_in_out_where_its_mounts_put_it() -> None:
    compose = compose_document()
    assert {reference.service for _, reference in references(compose)} == CONFIGURED
    assert problems(compose) == []


def test_a_reference_the_mounts_do_not_resolve_is_found(tmp_path: Path) -> None:
    compose = compose_document()
    services = compose["services"]
    services["loki"]["volumes"][1] = "../out/loki/rule:/etc/loki/rules:ro"
    services["tempo"]["volumes"][0] = "../out/tempo/tempo.yaml:/etc/tempo.yaml:ro"
    prometheus = tmp_path / "prometheus"
    shutil.copytree(ROOT / "out/prometheus", prometheus)
    config = yaml.safe_load((prometheus / "prometheus.yml").read_text())
    config["rule_files"] = ["rule/*.yml"]
    (prometheus / "prometheus.yml").write_text(yaml.safe_dump(config))
    services["prometheus"]["volumes"][0] = f"{prometheus}:/etc/prometheus:ro"
    assert problems(compose) == [
        f"prometheus: /etc/prometheus/rule/*.yml (rule_files): {prometheus}/rule/*.yml matches no file",
        "loki: /etc/loki/rules/*/*.yaml (ruler.storage.local.directory): out/loki/rule/*/*.yaml matches no file",
        "tempo: /etc/tempo/tempo.yaml (-config.file) is under no volume mount: the image holds no such file",
    ]


def test_the_readme_names_each_credential_file_the_alertmanagers_read() -> None:
    """The operator fills stacks/secrets/ before `up`: a file it lacks fails each notification through it."""
    section = readme_compose_section()
    assert "files under stacks/secrets/:" in section
    said = set(re.findall(r"`([\w./-]+)`", section.split("files under stacks/secrets/:", 1)[1].split("\n\n")[0]))
    assert said >= {str(path) for path in operator_files(compose_document())}


def test_the_credentials_directory_is_kept_out_of_git() -> None:
    """stacks/secrets/ beside the compose file holds Slack URLs and PagerDuty keys: `git add -A` must not take
    them into the repository GitOps ships."""
    for path in sorted(operator_files(compose_document())):
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", f"stacks/secrets/{path}"],
                                 capture_output=True, text=True, timeout=30)
        assert ignored.returncode == 0, f"stacks/secrets/{path} is not ignored by git {ignored.stderr}"
