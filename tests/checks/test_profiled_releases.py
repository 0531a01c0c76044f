"""The checks that judge a release (NT006, NT010) judge the releases a build targets: a profile's, when it names
them (the live demo builds for Debian's Prometheus 2.42 and Alertmanager 0.25), not the definitions' own."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from generator.build import compile_definitions
from generator.core.errors import Problem
from generator.model.profile import Profile

BASE = Path(__file__).parent / "base"
INHIBITION = """
from generator.model import Alert, Inhibition
from ._alert import VALID
TEMPO = Inhibition(name="tempo down mutes the export", source={"alertname": "TargetDown", "job": "tempo"},
                   target={"alertname": "OtelCollectorExportFailing", "exporter": "otlp_grpc/tempo"})
QUOTED = Alert(**{**VALID, "name": "QuotedService", "labels": {"service": 'a"b'}})
"""
DEBIAN = Profile(alertmanager_version="0.25.0", prometheus_version="2.42.0")
"""What the live demo runs (Debian bookworm's prometheus and prometheus-alertmanager)."""


def _definitions(tmp_path: Path, stack: str = "") -> Path:
    definitions = tmp_path / "definitions"
    shutil.copytree(BASE, definitions)
    (definitions / "case.py").write_text(textwrap.dedent(INHIBITION))
    if stack:
        path = definitions / "stack.py"
        path.write_text(path.read_text().replace('docs_url="https://docs.example.com"',
                                                 f'docs_url="https://docs.example.com", {stack}'))
    return definitions


def _found(definitions: Path, profile: Profile | None, code: str) -> list[Problem]:
    compiled = compile_definitions(definitions, profile)
    assert compiled.rendered is not None, compiled.report.sorted()
    return [problem for problem in compiled.report.problems if problem.code == code]


def test_a_profile_naming_older_releases_gets_the_warnings_of_those_releases(tmp_path: Path) -> None:
    definitions = _definitions(tmp_path)  # the definitions' own: Prometheus 3.15, Alertmanager 0.34
    assert _found(definitions, None, "NT006") == []
    assert _found(definitions, None, "NT010") == []
    race, = _found(definitions, DEBIAN, "NT006")
    assert "after Alertmanager 0.25.0 restarts or reloads or Prometheus 2.42.0 reloads" in race.message
    assert race.location.file.endswith("case.py") and race.location.line == 5  # its target, which is muted
    quoted, = _found(definitions, DEBIAN, "NT010")
    assert "Alertmanager's silence form (0.25.0)" in quoted.message


def test_a_profile_naming_newer_releases_drops_the_warnings_of_the_declared_ones(tmp_path: Path) -> None:
    definitions = _definitions(tmp_path, 'alertmanager_version="0.25.0", prometheus_version="2.42.0"')
    assert len(_found(definitions, None, "NT006")) == 1
    assert _found(definitions, Profile(alertmanager_version="0.34.1", prometheus_version="3.15.0"), "NT006") == []
    assert _found(definitions, Profile(alertmanager_version="0.34.1", prometheus_version="3.15.0"), "NT010") == []


def test_a_profile_naming_one_release_keeps_the_other_as_declared(tmp_path: Path) -> None:
    race, = _found(_definitions(tmp_path), Profile(alertmanager_version="0.25.0", time_scale=1 / 60), "NT006")
    assert "Alertmanager 0.25.0 restarts" in race.message and "Prometheus" not in race.message.split(":")[0]


def test_a_release_the_profile_set_is_not_advised_to_be_said_in_the_stack(tmp_path: Path) -> None:
    """The release `obsgen up` builds for is the one installed where it runs: no line of the definitions sets it."""
    definitions = _definitions(tmp_path)
    race, = _found(definitions, DEBIAN, "NT006")
    quoted, = _found(definitions, DEBIAN, "NT010")
    for problem in (race, quoted):
        assert "say so in Stack." not in problem.message, problem.message
        assert "restart the live stack (`obsgen down`, then `obsgen up`)" in problem.message, problem.message
    assert "install Alertmanager 0.30.0 or later" in race.message and "Prometheus 3.0.0 or later" in race.message
    assert "install Alertmanager 0.32.0 or later" in quoted.message


def test_a_release_the_stack_set_is_advised_at_the_stacks_line(tmp_path: Path) -> None:
    definitions = _definitions(tmp_path, 'alertmanager_version="0.25.0", prometheus_version="2.42.0"')
    race, = _found(definitions, None, "NT006")
    quoted, = _found(definitions, None, "NT010")
    at = "in the Stack at definitions/stack.py:16"
    assert f"run Alertmanager 0.30.0 or later and say so in Stack.alertmanager_version {at}" in race.message
    assert f"run Prometheus 3.0.0 or later and say so in Stack.prometheus_version {at}" in race.message
    assert f"run Alertmanager 0.32.0 or later and say so in Stack.alertmanager_version {at}" in quoted.message


def test_a_profile_naming_one_release_leaves_the_other_to_the_stack(tmp_path: Path) -> None:
    definitions = _definitions(tmp_path, 'prometheus_version="2.42.0"')
    race, = _found(definitions, Profile(alertmanager_version="0.25.0"), "NT006")
    assert "install Alertmanager 0.30.0 or later" in race.message, race.message
    assert "say so in Stack.prometheus_version in the Stack at definitions/stack.py:16" in race.message
