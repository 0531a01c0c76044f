"""`obsgen import` of files that are not what they say: a device, a FIFO or a symlink to one is refused before it
is read (it has no size to bound), and YAML of the wrong shape is one error naming the file and what was expected;
never a traceback, never an unbounded read, definitions/ left as it was."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator.cli.app import app
from tests.importer.conftest import ROOT, base_definitions

MEMORY = 2 * 2**30
"""Address space of an import run on a device: before the bound, it read /dev/zero until this ran out."""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def obsgen_import(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """This worktree's obsgen import, in a process with bounded memory (its unbounded read must not take the
    machine's)."""
    return subprocess.run([sys.executable, "-m", "generator", "import", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=_limited,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.mark.parametrize("name", ["zero.yaml", "zero.json"])
def test_a_symlink_to_a_device_is_refused_unread(tmp_path: Path, name: str) -> None:
    definitions = base_definitions(tmp_path)
    before = sorted(definitions.iterdir())
    (tmp_path / name).symlink_to("/dev/zero")

    result = obsgen_import(name, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {name}: cannot import: it is a character device, not a regular file\n"
    assert sorted(definitions.iterdir()) == before


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    base_definitions(tmp_path)
    os.mkfifo(tmp_path / "rules.yaml")

    result = obsgen_import("rules.yaml", cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert result.stderr == "error: rules.yaml: cannot import: it is a FIFO, not a regular file\n"


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    rules = {"groups": [{"name": "linked", "rules": [{"record": "job:up:sum", "expr": "sum by (job) (up)"}]}]}
    (tmp_path / "real.yaml").write_text(yaml.safe_dump(rules))
    (tmp_path / "linked.yaml").symlink_to(tmp_path / "real.yaml")

    result = CliRunner().invoke(app, ["import", str(tmp_path / "linked.yaml"), "--definitions", str(definitions)])

    assert result.exit_code == 0, result.output
    assert (definitions / "linked.py").is_file()


RULE = {"alert": "A", "expr": "vector(1) > 0"}
WRONG_SHAPES = {
    "PrometheusRule metadata a string": (
        {"kind": "PrometheusRule", "metadata": "just a string", "spec": {"groups": [{"name": "g", "rules": [RULE]}]}},
        2, "PrometheusRule metadata must be a mapping, got str"),
    "PrometheusRule spec a list": (
        {"kind": "PrometheusRule", "metadata": {"name": "r"}, "spec": [1, 2]},
        4, "PrometheusRule spec must be a mapping, got list"),
    "groups a number": ({"groups": 5}, 1, "groups must be a list of rule groups, got int"),
    "PrometheusRule groups a string": (
        {"kind": "PrometheusRule", "metadata": {"name": "r"}, "spec": {"groups": "g"}},
        5, "groups must be a list of rule groups, got str"),
    "rules a number": ({"groups": [{"name": "g", "rules": 5}]}, 3, "group g: rules must be a list, got int"),
    "ConfigMap metadata a string": (
        {"kind": "ConfigMap", "metadata": "oops", "data": {"d.json": '{"title": "D", "panels": []}'}},
        4, "ConfigMap metadata must be a mapping, got str"),
    "ConfigMap data a list": (
        {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": [1, 2]}, 1,
        "ConfigMap data must be a mapping, got list"),
    "ConfigMap annotations a list": (
        {"kind": "ConfigMap", "metadata": {"name": "c", "annotations": [1]},
         "data": {"d.json": '{"title": "D", "panels": []}'}},
        5, "ConfigMap metadata.annotations must be a mapping, got list"),
    "GrafanaDashboard spec a list": (
        {"kind": "GrafanaDashboard", "metadata": {"name": "g"}, "spec": [1]},
        4, "GrafanaDashboard spec must be a mapping, got list"),
    "a skipped kind's metadata a list": (
        {"kind": "Service", "metadata": [1]}, 2, "Service metadata must be a mapping, got list"),
}


@pytest.mark.parametrize(("document", "line", "message"), WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_yaml_of_the_wrong_shape_is_one_error_naming_the_file_and_what_was_expected(
        tmp_path: Path, document: dict[str, object], line: int, message: str) -> None:
    definitions = base_definitions(tmp_path)
    before = sorted(definitions.iterdir())
    source = tmp_path / "shape.yaml"
    source.write_text(yaml.safe_dump(document))

    result = CliRunner().invoke(app, ["import", str(source), "--definitions", str(definitions)])

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == f"error: {source}:{line}: cannot import: {message}\n"  # the line of the key at fault
    assert sorted(definitions.iterdir()) == before
