"""`obsgen init [DIR]`: a new team's project on which build, check and import pass at once."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from generator.build import load
from generator.core.releases import PROMETHEUS_VERSION
from generator.model import Alert, AlertingConfig, Channel, Dashboard, EscalationPolicy, RuleSet, Stack
from generator.model.stack import ALERTMANAGER_VERSION
from generator.scaffold import InitError, create, template_files
from tests.gitops.helpers import ROOT

CORPUS = ROOT / "tests/data/corpus"


def _obsgen(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`obsgen init payments` in an empty directory."""
    root = tmp_path_factory.mktemp("init")
    result = _obsgen("init", "payments", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "obsgen init: 7 files" in result.stdout and "placeholder addresses its README.md lists" in result.stdout
    return root / "payments"


def test_init_writes_a_stack_a_channel_four_severities_an_alert_with_examples_a_dashboard_and_ci(
        project: Path) -> None:
    loaded = load(project / "definitions")
    assert len(loaded.all(Stack)) == 1 and loaded.stack.name == "payments"
    assert [s.name for s in loaded.all(AlertingConfig)[0].severities] == ["info", "warning", "critical", "emergency"]
    assert [c.name for c in loaded.all(Channel)] == ["team"] and len(loaded.all(EscalationPolicy)) == 1
    (alert,) = loaded.all(Alert)
    assert len(alert.examples) == 2 and alert.dashboard == "Service"
    assert [d.name for d in loaded.all(Dashboard)] == ["Service"]
    workflow = (project / ".github/workflows/observability.yml").read_text()
    assert "obsgen build" in workflow and "git diff --exit-code out/" in workflow and "obsgen check" in workflow


def test_the_readme_names_every_file_holding_a_placeholder(project: Path) -> None:
    """A newcomer learns from the project's README which values to replace: each file with a localhost or
    example.com address, the CI workflow's install line among them (obsgen is not on PyPI)."""
    readme = (project / "README.md").read_text()
    holding = {str(path) for path in template_files()
               if path.name != "README.md" and re.search(r"localhost|example\.com", (project / path).read_text())}
    assert ".github/workflows/observability.yml" in holding and "definitions/stack.py" in holding
    assert sorted(path for path in holding if f"`{path}`:" not in readme) == []


def test_build_and_check_pass_on_a_new_project(project: Path) -> None:
    """A new project's first build says nothing that needs no action: no warning (MP001 said each severity's
    cooldown mapping, 4 warnings, though the scaffold's cooldowns map one-to-one)."""
    built = _obsgen("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr, built.stderr
    checked = _obsgen("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "obsgen check: 0 failed" in checked.stdout


def test_a_rule_file_and_a_dashboard_import_into_a_new_project(project: Path) -> None:
    rules, dashboard = CORPUS / "mysqld_exporter/general.yaml", CORPUS / "redis_exporter/redis-0.3x.json"
    imported = _obsgen("import", str(rules), str(dashboard), cwd=project)
    assert imported.returncode == 0, imported.stderr
    assert "obsgen import: 2 modules, 1 group, 1 alert, 0 recording rules, 1 dashboard (12 panels)" in \
        imported.stdout
    loaded = load(project / "definitions")
    assert [rs.source for rs in loaded.all(RuleSet)] == ["general.yaml"]  # by file name: outside the project
    assert "Prometheus Redis" in {d.name for d in loaded.all(Dashboard)}
    for module in (project / "definitions").glob("*.py"):
        assert str(ROOT) not in module.read_text(), module.name  # never the machine's absolute path
    assert _obsgen("build", cwd=project).returncode == 0
    checked = _obsgen("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_overwrites_nothing(tmp_path: Path) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions/stack.py").write_text("# ours\n")
    with pytest.raises(InitError, match=r"definitions/stack.py already exists"):
        create(tmp_path)
    assert (tmp_path / "definitions/stack.py").read_text() == "# ours\n"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["stack.py"]
    result = _obsgen("init", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(("link", "points_at", "message"), [
    ("README.md", "planted.md", "README.md already exists"),
    ("definitions", "planted", "definitions is a symbolic link"),
    ("definitions", "missing", "definitions is a symbolic link"),
], ids=["a link to no file yet", "a folder linked elsewhere", "a folder linked to nothing"])
def test_init_writes_nothing_through_a_symbolic_link(tmp_path: Path, link: str, points_at: str, message: str) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "planted").mkdir()
    (project / link).symlink_to(outside / points_at)
    with pytest.raises(InitError, match=message):  # the old tree wrote outside/planted.md and outside/planted/*.py
        create(project)
    assert sorted(p.name for p in outside.rglob("*")) == ["planted"]
    assert [p.name for p in project.iterdir()] == [link]


def test_the_template_is_the_whole_project() -> None:
    assert sorted(map(str, template_files())) == [".github/workflows/observability.yml", ".gitignore", "README.md",
                                                  "definitions/__init__.py", "definitions/alerting.py",
                                                  "definitions/service.py", "definitions/stack.py"]


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                          capture_output=True, text=True, timeout=60)


def _committed(tmp_path: Path) -> Path:
    """A new project as its team commits it: `obsgen init`, then git init and commit everything."""
    project = tmp_path / "payments"
    create(project)
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "init")):
        assert _git(project, *args).returncode == 0
    return project


def test_what_obsgen_keeps_beside_the_project_is_never_committed(tmp_path: Path) -> None:
    """A build leaves .out.lock beside out/ (a watch .out.spare/), caches in definitions/__pycache__/, preview
    its pictures in preview/, up its state in .live/ and demo-db its 8 MB database: `git add -A` took them all
    (the old tree wrote no .gitignore), and a cache committed there is one nobody's build trusts."""
    project = _committed(tmp_path)
    kept = [".out.lock", ".out.spare/a.yml", ".out.previous/a.yml", ".out.staging-1/a.yml",
            "definitions/__pycache__/obsgen-promql.cache", "preview/General/service.png", ".live/state.json",
            ".definitions.import-1/a.py", "shop-demo.db"]
    ignored = _git(project, "check-ignore", "--no-index", *kept).stdout.split()
    assert sorted(ignored) == sorted(kept)
    assert _git(project, "check-ignore", "--no-index", "out/prometheus/prometheus.yml").returncode == 1


def test_the_workflow_finds_out_stale_when_a_build_adds_a_file(tmp_path: Path) -> None:
    """`git diff --exit-code out/` alone passed when the build added a file to out/ (a new dashboard, rule group
    or runbook left uncommitted): git diff shows no untracked file."""
    project = _committed(tmp_path)
    (project / "out/prometheus").mkdir(parents=True)
    (project / "out/prometheus/prometheus.yml").write_text("global: {}\n")  # as the first build's, committed
    assert _git(project, "add", "out").returncode == 0 and _git(project, "commit", "-qm", "out").returncode == 0
    workflow = yaml.safe_load((project / ".github/workflows/observability.yml").read_text())
    (stale,) = [step["run"] for step in workflow["jobs"]["obsgen"]["steps"] if "out/" in step.get("run", "")]
    assert subprocess.run(["bash", "-ec", stale], cwd=project, capture_output=True).returncode == 0  # nothing yet
    (project / "out/docs").mkdir(parents=True)
    (project / "out/docs/new.md").write_text("# a runbook the build added\n")
    ran = subprocess.run(["bash", "-ec", stale], cwd=project, capture_output=True, text=True)
    assert ran.returncode == 1 and "out/docs/new.md" in ran.stdout


def test_a_failing_example_is_named_at_its_line_by_check(tmp_path: Path) -> None:
    """promtool names a failed test ("name: AppDown: down for 3 minutes fires; ...,"), not its definition: `obsgen
    check` said nothing of definitions/service.py, where the example to fix is."""
    project = tmp_path / "payments"
    create(project)
    service = project / "definitions/service.py"
    down = """series={'up{job="app",instance="localhost:8000"}': "0x5"}"""
    assert service.read_text().count(down) == 1
    service.write_text(service.read_text().replace(down, down.replace("0x5", "1x5")))  # up: it cannot fire
    assert _obsgen("build", cwd=project).returncode == 0
    checked = _obsgen("check", cwd=project)
    assert checked.returncode == 1 and "AppDown: down for 3 minutes fires" in checked.stdout, checked.stdout
    assert ("     definitions/service.py:12: alert AppDown's example 'down for 3 minutes fires' failed (promtool "
            "above): fix the example, or the alert if the example is right\n") in checked.stdout, checked.stdout
    # its series are now the other example's: one promtool test of both ("a; b"), whose other check passed
    assert "AppDown: down for 3 minutes fires; AppDown: up all along never fires," in checked.stdout, checked.stdout
    assert "example 'up all along never fires' failed" not in checked.stdout, checked.stdout


def _tarball(path: Path, folder: str, tool: str) -> None:
    """A release tarball as prometheus/prometheus and prometheus/alertmanager publish them: FOLDER/TOOL among
    others."""
    with tarfile.open(path, "w:gz") as archive:
        for name in (tool, "LICENSE"):
            data = f"#!/bin/sh\necho {name}\n".encode()
            entry = tarfile.TarInfo(f"{folder}/{name}")
            entry.size, entry.mode = len(data), 0o755
            archive.addfile(entry, io.BytesIO(data))


def test_the_workflow_installs_promtool_and_amtool_of_the_stacks_releases(tmp_path: Path) -> None:
    """The workflow installed Ubuntu's prometheus and prometheus-alertmanager (24.04: 2.45 and 0.26), not the
    releases a Stack declares by default (3.15.0, 0.34.1) that its rule tests are written for. Its install step,
    run with a curl that serves the release tarballs from a folder, puts both tools on the job's PATH."""
    create(tmp_path / "project")
    workflow = yaml.safe_load((tmp_path / "project/.github/workflows/observability.yml").read_text())
    steps = workflow["jobs"]["obsgen"]["steps"]
    assert not any("apt-get" in step.get("run", "") for step in steps)
    (step,) = [step for step in steps if "promtool" in step.get("run", "")]
    assert step["env"] == {"PROMETHEUS_VERSION": PROMETHEUS_VERSION, "ALERTMANAGER_VERSION": ALERTMANAGER_VERSION}
    served = tmp_path / "served"
    served.mkdir()
    for project, version, tool in (("prometheus", PROMETHEUS_VERSION, "promtool"),
                                   ("alertmanager", ALERTMANAGER_VERSION, "amtool")):
        folder = f"{project}-{version}.linux-amd64"
        _tarball(served / f"{project}-v{version}-{folder}.tar.gz", folder, tool)
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "curl").write_text('#!/bin/sh\nfor a; do url="$a"; done\n'  # the URL, last: its project, tag and file
                               f'set -- $(echo "$url" | sed -E "s#^https://github.com/prometheus/([a-z]+)/releases/'
                               f'download/(v[0-9.]+)/(.*)#\\1 \\2 \\3#")\n'
                               f'exec cat "{served}/$1-$2-$3"\n')
    (fake / "curl").chmod(0o755)
    runner, github_path = tmp_path / "runner", tmp_path / "github_path"
    runner.mkdir()
    ran = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], capture_output=True, text=True,
                         env={**os.environ, **step["env"], "PATH": f"{fake}:{os.environ['PATH']}",
                              "RUNNER_TEMP": str(runner), "GITHUB_PATH": str(github_path)})
    assert ran.returncode == 0, ran.stderr
    assert sorted(path.name for path in (runner / "bin").iterdir()) == ["amtool", "promtool"]
    assert github_path.read_text() == f"{runner / 'bin'}\n"

